#!/usr/bin/env python3
"""Writes a large, realistic French corpus for the benchmark.

Usage: gen.py OUTDIR [--mb 100] [--seed 2020] [--big-file]
Deterministic for a given seed.  The notes are built from the sentences and
the front matters of corpus/, recombined, with a Zipfian vocabulary that
keeps growing (rare invented words appear as the corpus grows, as names and
typos do in real notes), bullets of every kind, speaker turns, both
apostrophes and non-breaking spaces.  With --big-file, one file of the
whole size is written as well (big/one.md), for the one-large-file runs.
"""
import argparse
import glob
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def seeds():
    """Sentences, front matters, and words of the sample corpus."""
    sentences, heads, words = [], [], []
    for path in sorted(glob.glob(os.path.join(ROOT, 'corpus', '*'))):
        raw = open(path, 'rb').read()
        if raw.startswith(b'\xef\xbb\xbf'):
            raw = raw[3:]
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError:
            text = raw.decode('cp1252')
        text = text.replace('\r\n', '\n')
        m = re.match(r'---\n(.*?)\n---\n', text, re.S)
        if m:
            heads.append(m.group(1))
            text = text[m.end():]
        for line in text.split('\n'):
            line = re.sub(r'^\s*([-*•▪–—]|\d+[.)]|[a-z]\)|\[[0-9:]+\])\s*', '',
                          line).strip()
            line = re.sub(r'^[A-ZÉ][\w .’\'-]{0,30}\s?:\s', '', line)
            if len(line) > 25:
                sentences.append(line)
                words.extend(re.findall(r"[\w’'-]+", line))
    return sentences, heads, words


def invented(rng, n):
    """A new word: the growing tail of the vocabulary."""
    syl = ['ba', 'ré', 'lo', 'mi', 'ta', 'que', 'vé', 'nou', 'ché', 'ran',
           'tin', 'ses', 'gal', 'pon', 'deu', 'fri', 'sol', 'zé']
    return ''.join(rng.choice(syl) for _ in range(2 + n % 3))


def note(rng, sentences, heads, words, serial):
    head = rng.choice(heads)
    head = re.sub(r'collectivite: (.*)', lambda m: 'collectivite: %s %d' % (
        m.group(1), serial % 997), head)
    out = ['---', head, '---', '']
    style = rng.randrange(4)
    n = rng.randint(20, 70)
    for i in range(n):
        s = rng.choice(sentences)
        # Zipfian growth: replace a word by a rare or new one now and then
        if rng.random() < 0.15:
            ws = s.split(' ')
            k = rng.randrange(len(ws))
            r = rng.random()
            ws[k] = (invented(rng, serial + i) if r < 0.3
                     else rng.choice(words))
            s = ' '.join(ws)
        if rng.random() < 0.3:
            s = s.replace("'", '’')
        if rng.random() < 0.2:
            s = s.replace(' :', '\u00a0:')
        if style == 0:
            out.append(rng.choice(['- ', '• ', '* ', '– ', '1. ']) + s)
            if rng.random() < 0.2:
                out.append('  ' + rng.choice(sentences))
        elif style == 1:
            out.append(rng.choice(['Q : ', 'R : ', 'DGS : ', 'Mme Martin : '])
                       + s)
            out.append('')
        elif style == 2:
            out.append(s)
            if rng.random() < 0.4:
                out.append('')
        else:
            out.append('## ' + s[:40] if rng.random() < 0.05 else s)
            out.append('')
    return '\n'.join(out) + '\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('outdir')
    ap.add_argument('--mb', type=float, default=100)
    ap.add_argument('--seed', type=int, default=2020)
    ap.add_argument('--big-file', action='store_true')
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sentences, heads, words = seeds()
    target = int(a.mb * 1024 * 1024)
    os.makedirs(os.path.join(a.outdir, 'notes'), exist_ok=True)
    total, serial = 0, 0
    big = None
    if a.big_file:
        os.makedirs(os.path.join(a.outdir, 'big'), exist_ok=True)
        big = open(os.path.join(a.outdir, 'big', 'one.md'), 'w',
                   encoding='utf-8')
    while total < target:
        text = note(rng, sentences, heads, words, serial)
        sub = os.path.join(a.outdir, 'notes', '%03d' % (serial // 1000))
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, 'n%06d.md' % serial), 'w',
                  encoding='utf-8') as f:
            f.write(text)
        if big:
            big.write(re.sub(r'^---\n.*?\n---\n', '', text, flags=re.S))
        total += len(text.encode('utf-8'))
        serial += 1
    if big:
        big.close()
    print('%d notes, %.1f MB in %s' % (serial, total / 1048576, a.outdir))


if __name__ == '__main__':
    main()
