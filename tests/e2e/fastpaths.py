#!/usr/bin/env python3
"""The fast paths give the very output of the plain ones.

A slice of the benchmark's generated corpus (tests/bench/gen.py, fixed
seed: notes with bullets, speaker turns, both apostrophes, a growing
vocabulary, and one large file) is tagged with the bundled codebook:
- with the fast paths (candidate cache per word, ASCII scanning, masks by
  binary search, overlaps by a map of the segment), one thread;
- with GRILLE_REFERENCE=1, which takes the plain paths (every index and
  every glob for every token, pairwise checks);
- with -j 2 and -j 3 (files shared among threads, the large file cut in
  parts).
Every output must be byte for byte the same, in JSON, CSV and text.
Prints TAP.
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

G = os.environ['GRILLE']
S = os.environ['GRILLE_SOURCE_DIR']


def digest(args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    out = subprocess.run([G] + args, capture_output=True, env=e)
    if out.returncode != 0:
        raise SystemExit('exit %d: %s' % (out.returncode,
                                          out.stderr.decode()[:300]))
    return hashlib.sha256(out.stdout).hexdigest(), len(out.stdout)


def main():
    tmp = tempfile.mkdtemp(prefix='grille-fast-')
    try:
        subprocess.run([sys.executable,
                        os.path.join(S, 'tests', 'bench', 'gen.py'), tmp,
                        '--mb', '3', '--seed', '7', '--big-file'],
                       check=True, capture_output=True)
        notes = sorted(glob.glob(os.path.join(tmp, 'notes', '*', '*.md')))
        big = os.path.join(tmp, 'big', 'one.md')
        n = 0
        failed = 0
        for fmt in ('json', 'csv', 'text'):
            for name, files in (('notes', notes), ('large file', [big])):
                args = ['tag', '-f', fmt] + files
                fast, size = digest(args)
                ref, _ = digest(args, {'GRILLE_REFERENCE': '1'})
                j2, _ = digest(['tag', '-j', '2', '-f', fmt] + files)
                j3, _ = digest(['tag', '-j', '3', '-f', fmt] + files)
                for what, other in (('the plain paths', ref),
                                    ('-j 2', j2), ('-j 3', j3)):
                    n += 1
                    ok = other == fast and size > 1000
                    failed += not ok
                    print('%s %d - %s, %s: fast paths equal %s (%d bytes)' % (
                        'ok' if ok else 'not ok', n, fmt, name, what, size))
        print('1..%d' % n)
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
