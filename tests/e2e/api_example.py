#!/usr/bin/env python3
"""Runs the example program of docs/api.md and compares its output with
the ```text block the page shows after it.  Prints TAP."""
import os
import re
import subprocess
import sys

EXE, DOC = sys.argv[1], sys.argv[2]
text = open(DOC, encoding='utf-8').read()
want = re.findall(r'^```text\n(.*?)^```', text, re.S | re.M)[0]
out = subprocess.run([EXE], capture_output=True, text=True)
ok = out.returncode == 0 and out.stdout == want
print('ok 1 - the example of docs/api.md runs' if out.returncode == 0 else
      'not ok 1 - the example of docs/api.md runs: exit %d: %s' % (
          out.returncode, out.stderr))
if out.stdout == want:
    print('ok 2 - its output is the one the page shows')
else:
    print('not ok 2 - its output is the one the page shows')
    for line in out.stdout.splitlines():
        print('# ' + line)
print('1..2')
sys.exit(0 if ok else 1)
