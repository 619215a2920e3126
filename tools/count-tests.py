#!/usr/bin/env python3
"""Counts test results from meson's test log and prints 'N passed, N failed'.

Usage: count-tests.py TESTLOG.json|BUILDDIR...
Every TAP line ("ok" / "not ok") of every test counts once; a test that
printed no TAP line counts once, by its result.  A test that failed (or
timed out) without a failing TAP line counts one more failure, so a crash
after the last TAP line is never hidden.
"""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b(.*)$')


def count(builddir):
    passed = failed = 0
    path = builddir
    if not path.endswith('.json'):
        path = builddir + '/meson-logs/testlog.json'
    with open(path, encoding='utf-8') as f:
        for line in f:
            t = json.loads(line)
            p = q = 0
            for out in (t.get('stdout') or '').splitlines():
                m = TAP.match(out)
                if not m:
                    continue
                if '# SKIP' in m.group(2):
                    continue
                if m.group(1) == 'ok':
                    p += 1
                else:
                    q += 1
            ok = t.get('result') in ('OK', 'EXPECTEDFAIL', 'SKIP')
            if p + q == 0:
                p, q = (1, 0) if ok else (0, 1)
            elif not ok and q == 0:
                q = 1
            passed += p
            failed += q
    return passed, failed


def main():
    passed = failed = 0
    for d in sys.argv[1:]:
        p, q = count(d)
        passed += p
        failed += q
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
