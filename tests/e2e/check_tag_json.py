#!/usr/bin/env python3
"""Checks `grille tag -f json` output against the files it came from.

Usage: check_tag_json.py GRILLE FILE...
For every file: the output parses as JSON Lines, has the keys of DESIGN §5,
and every offset points where it says: text[start:end] of a coding is its
term, a segment's text is text[start:end], its line is the line of start,
and each coding lies inside its segment.  Prints TAP.
"""
import json
import subprocess
import sys


def decode(raw):
    if raw.startswith(b'\xef\xbb\xbf'):
        return raw[3:].decode('utf-8')
    if raw[:2] in (b'\xff\xfe', b'\xfe\xff'):
        return raw.decode('utf-16')
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('cp1252')


def line_of(b, off):
    """1-based line of byte offset off, counting \\n, \\r\\n and lone \\r."""
    head = b[:off]
    return 1 + head.count(b'\n') + head.count(b'\r') - head.count(b'\r\n')


def check(grille, path):
    out = subprocess.run([grille, 'tag', '-f', 'json', path],
                         capture_output=True, check=False)
    if out.returncode != 0:
        return 'exit status %d: %s' % (out.returncode, out.stderr.decode())
    lines = out.stdout.decode('utf-8').splitlines()
    if len(lines) != 1:
        return 'expected one JSON line, got %d' % len(lines)
    d = json.loads(lines[0])
    for key in ('document', 'codebook', 'unit', 'segments', 'codings',
                'summary'):
        if key not in d:
            return 'missing key %r' % key
    text = decode(open(path, 'rb').read()).encode('utf-8')
    if d['document']['bytes'] != len(text):
        return 'bytes %d != %d' % (d['document']['bytes'], len(text))
    segs = {s['index']: s for s in d['segments']}
    for s in d['segments']:
        if text[s['start']:s['end']].decode('utf-8') != s['text']:
            return 'segment %d text differs' % s['index']
        if line_of(text, s['start']) != s['line']:
            return 'segment %d line %d, expected %d' % (
                s['index'], s['line'], line_of(text, s['start']))
    # the speaker of each turn, and of its sentences, is the one tokens
    # finds; a segment without one has no key
    toks = subprocess.run([grille, 'tokens', '-f', 'json', path],
                          capture_output=True, check=False)
    if toks.returncode != 0:
        return 'tokens: exit status %d' % toks.returncode
    want = {s['index']: s.get('speaker')
            for s in json.loads(toks.stdout)['segments']}
    for s in d['segments']:
        if 'speaker' in s and not s['speaker']:
            return 'segment %d: an empty speaker' % s['index']
        if s.get('speaker') != want.get(s['index']):
            return 'segment %d speaker %r, tokens says %r' % (
                s['index'], s.get('speaker'), want.get(s['index']))
    for c in d['codings']:
        got = text[c['start']:c['end']].decode('utf-8')
        if got != c['term']:
            return 'coding %r at %d: text is %r' % (c['term'], c['start'], got)
        s = segs[c['segment']]
        if not (s['start'] <= c['start'] < c['end'] <= s['end']):
            return 'coding %r outside its segment' % c['term']
        if c['code'] not in s['codes']:
            return 'coding %r: code %s not in segment codes' % (c['term'],
                                                                 c['code'])
    return None


def main():
    grille = sys.argv[1]
    files = sys.argv[2:]
    print('1..%d' % len(files))
    failed = 0
    for i, path in enumerate(files, 1):
        why = check(grille, path)
        if why:
            failed += 1
            print('not ok %d - %s: %s' % (i, path, why))
        else:
            print('ok %d - %s' % (i, path))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
