#!/usr/bin/env python3
"""Reads a text table on standard input and checks that the regular
expression given as argument matches at the same terminal column on every
line where it matches:
a decomposed accent (a macOS file name) takes no column, a CJK character
two.  Exits 1, saying which line, when it does not.  With --width N,
checks instead that no line is wider than N columns."""
import re
import sys
import unicodedata


def cols(s):
    n = 0
    for ch in s:
        if unicodedata.combining(ch) or ch in '\u200b\u200c\u200d\ufeff':
            continue
        n += 2 if unicodedata.east_asian_width(ch) in 'WF' else 1
    return n


if sys.argv[1] == '--width':
    # every line fits that many columns
    limit = int(sys.argv[2])
    for line in sys.stdin:
        if cols(line.rstrip('\n')) > limit:
            sys.exit('%d columns, over %d: %s' % (cols(line.rstrip('\n')),
                                                  limit, line.rstrip()))
    sys.exit(0)

word = re.compile(sys.argv[1])
seen = {}
for line in sys.stdin:
    m = word.search(line)
    if m:
        seen.setdefault(cols(line[:m.start()]), line.rstrip('\n'))
if len(seen) != 1:
    sys.exit('%r starts at columns %s:\n%s' % (word.pattern, sorted(seen),
                                              '\n'.join(seen.values())))
