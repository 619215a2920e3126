#!/usr/bin/env python3
"""Extracts a fenced block of a Markdown file.

Usage: extract-example.py FILE.md LANG OUTPUT [N]
Writes the N-th (default 1st) block fenced with ```LANG to OUTPUT: the C
example of docs/api.md, so that the test suite compiles exactly the code
the documentation shows.
"""
import re
import sys


def main():
    src, lang, dst = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    text = open(src, encoding='utf-8').read()
    blocks = re.findall(r'^```%s\n(.*?)^```' % re.escape(lang), text,
                        re.S | re.M)
    if len(blocks) < n:
        sys.exit('%s: no block %d of ```%s' % (src, n, lang))
    with open(dst, 'w', encoding='utf-8') as f:
        f.write(blocks[n - 1])


if __name__ == '__main__':
    main()
