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
import json
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
        # JSON strings are escaped eight bytes at a time when they can be:
        # every ASCII byte that needs an escape, at every offset of a
        # word, must come out escaped and read back as it was
        special = [c for c in range(1, 0x20) if c not in (0x0A, 0x0D)] + \
            [0x22, 0x5C, 0x7F]
        lines = []
        for c in special:
            for k in range(9):
                lines.append('mot%s%sde texte é€ assez long pour huit'
                             % ('x' * k, chr(c)))
        esc = os.path.join(tmp, 'escapes.md')
        with open(esc, 'w', encoding='utf-8', newline='') as f:
            f.write('\n\n'.join(lines) + '\n')
        out = subprocess.run([G, 'tag', '-f', 'json', esc],
                             capture_output=True)
        try:
            doc = json.loads(out.stdout)
        except ValueError:
            doc = {'segments': []}
        with open(esc, 'rb') as f:
            raw = f.read()
        got = [seg['text'] for seg in doc['segments']]
        want = [raw[seg['start']:seg['end']].decode() for seg in
                doc['segments']]
        ok = (out.returncode == 0 and got == want and len(got) ==
              len(lines) and not any(b < 0x20 and b != 0x0A
                                     for b in out.stdout))
        n += 1
        failed += not ok
        print('%s %d - JSON escapes every special byte at every offset' % (
            'ok' if ok else 'not ok', n))
        # words of every length around 8 and 16 bytes (up to 16 bytes of
        # a..z are taken in two reads), ended by every kind of byte,
        # at the end of a line and of the file: the same tokens as the
        # plain paths, including codebook words ("masques", "visio")
        stems = ['a', 'de', 'masques', 'visioconf', 'telétravail',
                 'abcdefghijklmnopqrstu', 'Ehpad', 'l', 'qu', 'visio']
        ends = [' ', '.', ',', ';', "'", '\u2019', '-', '\u00e9', '\u00c9',
                '\u00a0', '7', 'Z', ')', '\t', '\n', '@', '/']
        words = []
        for w in stems:
            for k in range(0, 21 - min(len(w), 20)):
                base = (w + 'bcdefghijklmnopqrstuvwxyz')[:len(w) + k]
                for e in ends:
                    words.append(base + e + 'x ')
        edge = os.path.join(tmp, 'lengths.md')
        with open(edge, 'w', encoding='utf-8', newline='') as f:
            f.write(' '.join(words) + '\nmasques')
        fast, size = digest(['tag', '-f', 'json', edge])
        ref, _ = digest(['tag', '-f', 'json', edge], {'GRILLE_REFERENCE': '1'})
        n += 1
        ok = fast == ref and size > 1000
        failed += not ok
        print('%s %d - words of 1 to 21 bytes before every kind of byte: the '
              'same tokens as the plain paths' % ('ok' if ok else 'not ok', n))
        # a large file cut in parts after a file that cannot be read: its
        # lines and segment numbers are those it has alone
        missing = os.path.join(tmp, 'missing.md')
        for fmt in ('json', 'csv'):
            for j in ('1', '2'):
                alone = subprocess.run([G, 'tag', '-j', j, '-f', fmt, big],
                                       capture_output=True)
                after = subprocess.run([G, 'tag', '-j', j, '-f', fmt,
                                        missing, big], capture_output=True)
                ok = (alone.returncode == 0 and after.returncode == 1 and
                      b'missing.md' in after.stderr and
                      after.stdout == alone.stdout and
                      len(alone.stdout) > 1000)
                n += 1
                failed += not ok
                print('%s %d - %s, -j %s: a large file after one that cannot '
                      'be read is written as alone' % (
                          'ok' if ok else 'not ok', n, fmt, j))
        print('1..%d' % n)
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
