#!/usr/bin/env python3
"""Golden end-to-end tests of `grille tag`.

Usage: golden.py GRILLE DIR [--update]
Each folder of DIR is a case:
  input.*        the note to tag (the one file whose name starts with input)
  codebook.yaml  the codebook (optional: the bundled one otherwise)
  args           extra arguments, one per line (optional)
  expected.json  the expected JSON Lines output, one object per line
The output is compared as parsed JSON, so spacing does not matter; an
expected codebook sha256 of "*" accepts any (for cases on the bundled
codebook, which changes as it is tuned).  --update rewrites expected.json
from the current output: read the diff before committing it.  Prints TAP.
"""
import json
import os
import subprocess
import sys


def run_case(grille, case):
    inputs = [f for f in os.listdir(case) if f.startswith('input')]
    if len(inputs) != 1:
        raise SystemExit('%s: expected one input file' % case)
    cmd = [grille, 'tag', '-f', 'json']
    if os.path.exists(os.path.join(case, 'codebook.yaml')):
        cmd += ['-c', 'codebook.yaml']
    if os.path.exists(os.path.join(case, 'args')):
        cmd += [a for a in open(os.path.join(case, 'args')).read().split('\n')
                if a]
    cmd.append(inputs[0])
    out = subprocess.run(cmd, cwd=case, capture_output=True, check=False)
    return out


def diff(want, got, path='$'):
    if type(want) != type(got):
        return '%s: expected %r, got %r' % (path, want, got)
    if isinstance(want, dict):
        for k in want:
            if k not in got:
                return '%s: missing key %r' % (path, k)
            d = diff(want[k], got[k], '%s.%s' % (path, k))
            if d:
                return d
        for k in got:
            if k not in want:
                return '%s: unexpected key %r' % (path, k)
        return None
    if isinstance(want, list):
        for i, (w, g) in enumerate(zip(want, got)):
            d = diff(w, g, '%s[%d]' % (path, i))
            if d:
                return d
        if len(want) != len(got):
            return '%s: expected %d items, got %d' % (path, len(want),
                                                       len(got))
        return None
    if want != got:
        return '%s: expected %r, got %r' % (path, want, got)
    return None


def main():
    grille, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    update = '--update' in sys.argv
    cases = sorted(d for d in os.listdir(root)
                   if os.path.isdir(os.path.join(root, d)))
    print('1..%d' % len(cases))
    failed = 0
    for i, name in enumerate(cases, 1):
        case = os.path.join(root, name)
        out = run_case(grille, case)
        exp_path = os.path.join(case, 'expected.json')
        if out.returncode != 0:
            failed += 1
            print('not ok %d - %s: exit %d: %s' % (
                i, name, out.returncode, out.stderr.decode().strip()))
            continue
        got = [json.loads(l) for l in out.stdout.decode().splitlines()]
        if update:
            with open(exp_path, 'w') as f:
                for g in got:
                    f.write(json.dumps(g, ensure_ascii=False) + '\n')
        want = [json.loads(l) for l in open(exp_path, encoding='utf-8')]
        for w, g in zip(want, got):
            if w.get('codebook', {}).get('sha256') == '*':
                g['codebook']['sha256'] = '*'
        d = diff(want, got)
        if d:
            failed += 1
            print('not ok %d - %s: %s' % (i, name, d))
        else:
            print('ok %d - %s' % (i, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
