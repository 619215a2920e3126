#!/usr/bin/env python3
"""Worst cases: grille tag on notes of one odd shape each.

Usage: tests/bench/worst.py [--mb 1] [--grille build/cli/grille] [--top 10]

Writes, in a temporary folder, one note of --mb megabytes per shape (a
word of a megabyte, runs of apostrophes, hyphens, colons, dots, digits,
minus signs, at signs, URLs, bullets, headings, table rows, speaker
labels, outline numbers, a text of nothing but one coded word, a
proximity's two sides repeated...), tags each with the bundled codebook,
by paragraphs and by sentences, and prints the slowest with their MB/s
and their time on a tenth of the size: a ratio of ten is linear, a
hundred quadratic. The common notes' speed is run.py's; this is for the
shapes that no realistic corpus has and that must not hang a run.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def shapes(n):
    yield 'one long word', 'a' * n
    yield 'one long accented word', 'é' * (n // 2)
    yield 'speaker labels', 'DGS : ' * (n // 6)
    yield 'colons', ':' * n
    yield 'a dot after each word', 'a. ' * (n // 3)
    yield 'civilities', 'M. ' * (n // 3)
    yield 'initials', 'J. D. ' * (n // 6)
    yield 'etc. and a capital', 'etc. Il ' * (n // 8)
    yield 'elisions', "l'" * (n // 2) + 'eau'
    yield 'curly elisions', 'l\u2019' * (n // 4) + 'eau'
    yield 'kept apostrophes', "aujourd'" * (n // 8) + 'hui'
    yield 'hyphens', 'a-' * (n // 2) + 'b'
    yield 'hyphenated words', 'santé-' * (n // 7) + 'b'
    yield 'digits', '1 ' * (n // 2)
    yield 'dotted numbers', '1.' * (n // 2)
    yield 'grouped digits', '1 000 ' * (n // 6)
    yield 'minus signs', '-' * n
    yield 'negative numbers', '-1' * (n // 2)
    yield 'at signs', 'a@' * (n // 2)
    yield 'addresses', 'a.b@c.fr ' * (n // 9)
    yield 'URLs', 'http://a.fr/' * (n // 12)
    yield 'one long URL', 'http://' + 'a' * n
    yield 'bullets', '- ' * (n // 2)
    yield 'bullet lines', '- a\n' * (n // 4)
    yield 'list turns', '- Q : a\n' * (n // 8)
    yield 'outline lines', '1.1 A\n' * (n // 6)
    yield 'hashes', '#' * n
    yield 'heading lines', '# a\n' * (n // 4)
    yield 'table rows', '| a | b |\n|---|---|\n' * (n // 20)
    yield 'no-break spaces', '\u00a0' * (n // 2)
    yield 'soft hyphens', 'a\u00ad' * (n // 3)
    yield 'combining accents', 'e\u0301' * (n // 3)
    yield 'blank lines', '\n' * n
    yield 'form feeds', '\f' * n
    yield 'speaker turns', 'Q : a\nDGS : b\n' * (n // 14)
    yield 'a long label', 'M. le Maire de ' * (n // 15) + ': a'
    yield 'brackets', '(' * n
    yield 'one coded word', 'télétravail ' * (n // 13)
    yield 'one exact form', 'ARS ' * (n // 4)
    yield 'a phrase\'s start', 'travail à ' * (n // 10)
    yield 'a proximity\'s sides', 'mairie fermée, ' * (n // 16)
    yield 'dates', '12/03/2020 ' * (n // 11)
    yield 'percentages', '10 % ' * (n // 5)
    yield 'punctuation', 'a.b,c;d:e!f?' * (n // 12)
    yield 'hyphens at line ends', 'télé-\n' * (n // 7) + 'b'
    yield 'a compound over lines', 'a-\n' * (n // 3) + 'b'
    yield 'quoted reply marks', '> ' * (n // 2)
    yield 'quoted lines', '> a\n' * (n // 4)
    yield 'tab rows', 'a\tb\n' * (n // 4)
    yield 'tabs in one line', 'a\t' * (n // 2)
    yield 'rule lines', '---\n' * (n // 4)
    yield 'page numbers', '- 12 -\n' * (n // 7)
    yield 'Q. and R. lines', 'Q. a ?\nR. b\n' * (n // 12)
    yield 'topic lines', 'Réunion ARS : a\n' * (n // 17)
    yield 'outline letters', 'A. Contexte\nB. a\n' * (n // 17)
    yield 'emoji bullets', '\U0001F449 a\n' * (n // 7)
    yield 'wrapped list turns', ('- Q : ' + 'a ' * 30 + '\nb\n') * (n // 70)


def tag(grille, path, unit):
    t = time.perf_counter()
    out = subprocess.run([grille, 'tag', '-f', 'json', '-u', unit, path],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit('%s (%s): exit %d: %s' % (path, unit, out.returncode,
                                           out.stderr.decode()[:200]))
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mb', type=float, default=1.0)
    ap.add_argument('--grille', default=os.path.join(ROOT, 'build', 'cli',
                                                     'grille'))
    ap.add_argument('--top', type=int, default=10)
    o = ap.parse_args()
    n = int(o.mb * 1e6)
    rows = []
    with tempfile.TemporaryDirectory(prefix='grille-worst-') as d:
        for k, (name, text) in enumerate(shapes(n)):
            small = os.path.join(d, '%02d-small.md' % k)
            big = os.path.join(d, '%02d.md' % k)
            with open(small, 'w', encoding='utf-8') as f:
                f.write(next(t for s, t in shapes(n // 10) if s == name)
                        + '\n')
            with open(big, 'w', encoding='utf-8') as f:
                f.write(text + '\n')
            size = os.path.getsize(big)
            for unit in ('paragraph', 'sentence'):
                t1 = tag(o.grille, small, unit)
                t = tag(o.grille, big, unit)
                rows.append((t, name, unit, size / t / 1e6, t / t1))
    rows.sort(reverse=True)
    print('%-26s %-9s %9s %9s %8s' % ('shape', 'unit', 'seconds', 'MB/s',
                                       'x10 size'))
    for t, name, unit, mbs, ratio in rows[:o.top]:
        print('%-26s %-9s %9.3f %9.1f %7.1fx' % (name, unit, t, mbs, ratio))
    print('%d shapes of %.1f MB, by paragraphs and by sentences; the '
          'slowest %.3f s' % (len(rows) // 2, o.mb, rows[0][0]))


if __name__ == '__main__':
    main()
