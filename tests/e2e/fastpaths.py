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
Every output must be byte for byte the same, in JSON, CSV and text; and so
must random proximity and regex codebooks on random texts.
A large file, coded in parts and in two passes, must also give what the
spooled way gives (its text from standard input sharing a batch), and
the segments and codings of the whole text added to a project.
Prints TAP.
"""
import glob
import hashlib
import json
import os
import resource
import shutil
import sqlite3
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


def as_plain(args):
    """Runs args (a tag to JSON) with the fast paths and the plain ones:
    None when the first fails, else whether both printed the same and
    whether the fast run coded anything."""
    out = subprocess.run([G] + args, capture_output=True)
    if out.returncode != 0:
        return None
    ref = subprocess.run([G] + args, capture_output=True,
                         env=dict(os.environ, GRILLE_REFERENCE='1'))
    return (ref.stdout == out.stdout,
            bool(json.loads(out.stdout)['codings']))


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
        # Proximities: each A paired with its nearest B by a search from
        # where A stands (pair_near), not against every B; the same pairs
        # as the plain loop's on random codebooks (B's of several words,
        # exclusions of a theme and of its parent, ties before and after
        # A, punctuation between) and texts, and on a paragraph of 4,000
        # "mairie fermée" (the plain way: some 16 million pairs)
        import random
        words = ['mairie', 'mairies', 'fermée', 'fermé', 'ouverte',
                 'service', 'services', 'le', 'la', 'du', 'bourg', 'très',
                 'réunion', 'réunions', 'à', 'distance', 'ARS', 'ars',
                 'conseil', 'municipal', 'agents', 'école']
        marks = ['', '', '', '', ',', ';', '.', ' :', ' !']
        terms = ['mairie*', 'mairie', 'ferm*', 'fermée', 'service*', 'bourg',
                 'réunion*', 'distance', '=ARS', 'mairie du bourg',
                 'conseil municipal', 'très fermée', 'à distance', 'agents',
                 'école', 'la mairie']
        near_cb = os.path.join(tmp, 'near.yaml')
        near_md = os.path.join(tmp, 'near.md')
        differ, coded = [], 0
        for seed in range(300):
            rnd = random.Random(seed)
            y = ['themes:']
            for t in range(rnd.randint(1, 3)):
                y += ['  t%d:' % t, '    label: T%d' % t, '    near: [%s]' % (
                    ', '.join('"%s ~%d %s"' % (rnd.choice(terms),
                                               rnd.randint(1, 6),
                                               rnd.choice(terms))
                              for _ in range(rnd.randint(1, 3))))]
                if rnd.random() < 0.5:
                    y.append('    exclude: [%s]' % ', '.join(
                        rnd.choice(terms) for _ in range(rnd.randint(1, 2))))
                if rnd.random() < 0.5:
                    y += ['    children:', '      c:', '        label: C',
                          '        near: ["%s ~%d %s"]' % (
                              rnd.choice(terms), rnd.randint(1, 4),
                              rnd.choice(terms))]
                    if rnd.random() < 0.5:
                        y.append('        exclude: [%s]' % rnd.choice(terms))
            with open(near_cb, 'w', encoding='utf-8') as f:
                f.write('\n'.join(y) + '\n')
            with open(near_md, 'w', encoding='utf-8') as f:
                f.write('\n\n'.join(
                    ' '.join(rnd.choice(words) + rnd.choice(marks)
                             for _ in range(rnd.randint(1, 80)))
                    for _ in range(rnd.randint(1, 6))) + '\n')
            same = as_plain(['tag', '-f', 'json', '-c', near_cb, near_md])
            if same is None or not same[0]:
                differ.append(seed)
            else:
                coded += same[1]
        ok = not differ and coded > 100
        n += 1
        failed += not ok
        print('%s %d - proximities: the plain pairs on 300 random codebooks '
              '(%d with codings; differ: %s)' % ('ok' if ok else 'not ok', n,
                                                 coded, differ[:5]))
        with open(near_cb, 'w', encoding='utf-8') as f:
            f.write('themes:\n  m:\n    label: M\n'
                    '    near: ["mairie* ~4 ferm*"]\n')
        with open(near_md, 'w', encoding='utf-8') as f:
            f.write('mairie fermée, ' * 4000 + '\n')
        args = ['tag', '-f', 'json', '-c', near_cb, near_md]
        fast, size = digest(args)
        ok = fast == digest(args, {'GRILLE_REFERENCE': '1'})[0] and \
            size > 100000
        n += 1
        failed += not ok
        print('%s %d - proximities: 4,000 pairs in a paragraph, the plain '
              'ones (%d bytes)' % ('ok' if ok else 'not ok', n, size))
        # Regexes: run only on the segments that hold the literal all
        # their matches hold (read from the pattern); the same codings as
        # the plain way, which runs each on every segment, for random
        # patterns (quantifiers, groups, lookarounds, classes,
        # alternatives, escapes) and texts made of their own pieces in
        # every case, the Kelvin sign and the long s among them
        def regex_atom(rnd, d):
            r = rnd.random()
            if r < 0.55:
                a = rnd.choice(alphabet)
            elif r < 0.62:
                a = rnd.choice(['\\b', '\\w', '\\d', '\\s', '\\.',
                                '\\-', '\\/', '\\pL', '\\x61',
                                '\\141', '\\x{e9}', '\\x45'])
            elif r < 0.70:
                a = '[%s]' % ''.join(rnd.choice('abcé-')
                                     for _ in range(rnd.randint(1, 3)))
            elif r < 0.78 and d < 2:
                a = '(%s%s)' % (rnd.choice(['', '?:', '?=', '?!', '?<=']),
                                regex_seq(rnd, d + 1))
            elif r < 0.83 and d < 2:
                a = '(%s|%s)' % (regex_seq(rnd, d + 1), regex_seq(rnd, d + 1))
            else:
                a = rnd.choice(alphabet)
            q = rnd.random()
            return a + ('?' if q < 0.05 else '*' if q < 0.07 else
                        '+' if q < 0.09 else '{0,2}' if q < 0.10 else
                        '??' if q < 0.105 else '')

        def regex_seq(rnd, d=0):
            return ''.join(regex_atom(rnd, d)
                           for _ in range(rnd.randint(3, 10)))

        alphabet = list('abcdesktrouv\u00e9') + [
            '\u00c9', 'K', 'S', '1', '/', '-', ' ', "'", '\u017f', '\u212a']
        rx_cb = os.path.join(tmp, 'rx.yaml')
        rx_md = os.path.join(tmp, 'rx.md')
        differ, coded = [], 0
        for seed in range(300):
            rnd = random.Random(seed)
            pats = [regex_seq(rnd) for _ in range(3)]
            with open(rx_cb, 'w', encoding='utf-8') as f:
                f.write('themes:\n' + ''.join(
                    "  t%d: {regex: ['%s']}\n" % (i, p.replace("'", "''"))
                    for i, p in enumerate(pats)))
            pieces = [''.join(c for c in p if c.isalnum() or c in " /-'")
                      for p in pats]
            pool = ['cadres', 'Cadres', 'ABCDE', '\u00e9t\u00e9', 'desk',
                    '11/05', '\u017f', '\u212a'] + \
                [x[i:i + rnd.randint(3, 8)] for x in pieces
                 for i in range(0, max(1, len(x) - 2), 2) if x] + \
                [x.upper() for x in pieces if x] + \
                [x.title() for x in pieces if x]
            with open(rx_md, 'w', encoding='utf-8') as f:
                f.write('\n\n'.join(' '.join(rnd.choice(pool) for _ in
                                               range(rnd.randint(1, 8)))
                                      for _ in range(6)) + '\n')
            same = as_plain(['tag', '-f', 'json', '-c', rx_cb, rx_md])
            if same is None:
                continue  # a regex the codebook refuses (one empty match)
            if not same[0]:
                differ.append(seed)
            else:
                coded += same[1]
        ok = not differ and coded > 50
        n += 1
        failed += not ok
        print('%s %d - regexes: the plain codings on 300 random codebooks '
              '(%d with codings; differ: %s)' % ('ok' if ok else 'not ok', n,
                                                 coded, differ[:5]))
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
        # The same across the blocks of 16 and 32 bytes a text is read by
        # (32 from 64 bytes on),
        # in segments and in terms (a regex rule takes the byte into the
        # match), a C1 control (C2 80..9F, escaped) and a C2 that starts a
        # letter (kept) among them, and at a document's very end, where
        # fewer than 16 bytes follow: every string reads back as the text
        # it comes from, and nothing raw that JSON escapes is left.
        special = [chr(c) for c in range(1, 0x20) if c not in (0x0A, 0x0D)]
        special += ['"', '\\', '\x7f', '\x85', '\x9f', '\xa0', '\xab', 'é']
        mot = os.path.join(tmp, 'mot.yaml')
        with open(mot, 'w', encoding='utf-8') as f:
            f.write("themes:\n  mot:\n    label: Mot\n"
                    "    regex: ['mot[^ ]*']\n")
        docs = []
        for c in special:
            lines = ['mot%s%sde texte' % ('x' * k, c) for k in range(80)]
            lines += ['mot%s%s texte' % ('x' * k, c) for k in range(20)]
            lines += ['%s%s' % ('y' * k, c) for k in range(80)]
            docs.append('\n\n'.join(lines))
        for at_end in (False, True):
            for k, body in enumerate(docs):
                path = os.path.join(tmp, 'esc-%d-%d.md' % (at_end, k))
                with open(path, 'w', encoding='utf-8', newline='') as f:
                    f.write(body if at_end else body + '\n\nfin\n')
            paths = [os.path.join(tmp, 'esc-%d-%d.md' % (at_end, k))
                     for k in range(len(docs))]
            out = subprocess.run([G, 'tag', '-f', 'json', '-c', mot] + paths,
                                 capture_output=True)
            ok = out.returncode == 0
            texts = terms = 0
            for line, path in zip(out.stdout.splitlines(), paths):
                with open(path, 'rb') as f:
                    raw = f.read()
                try:
                    d = json.loads(line)
                except ValueError:  # a control left raw
                    d = {'segments': [], 'codings': []}
                    ok = False
                for x in d['segments']:
                    ok = ok and x['text'] == raw[x['start']:x['end']].decode()
                    texts += 1
                for x in d['codings']:
                    ok = ok and x['term'] == raw[x['start']:x['end']].decode()
                    terms += 1
            ok = (ok and texts >= 178 * len(docs) and terms >= 99 * len(docs)
                  and not any(b < 0x20 and b != 0x0A or b == 0x7F
                              for b in out.stdout)
                  and not any(out.stdout[i] == 0xC2 and
                              0x80 <= out.stdout[i + 1] <= 0x9F
                              for i in range(len(out.stdout) - 1)))
            n += 1
            failed += not ok
            print('%s %d - JSON escapes in texts and terms at offsets 0 to 80'
                  '%s (%d texts, %d terms)' % (
                      'ok' if ok else 'not ok', n,
                      ', at the end of the file' if at_end else '', texts,
                      terms))
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
        # A large file has a batch of its own and is coded in two passes
        # (its codings kept, then rendered), given by name or from
        # standard input after a note: both give the same bytes, -j or
        # not, with a last part that could not be cut (no blank line in
        # its 3 MB), and a regex that stops in the third part names the
        # same line (the regex backtracks past the match limit on a line of
        # 30,000 "a").
        note = notes[0]
        with open(big, encoding='utf-8') as f:
            text = f.read()
        tail = os.path.join(tmp, 'tail.md')
        with open(tail, 'w', encoding='utf-8') as f:
            f.write(text[:2500000] + '\n\n' +
                    text[:3000000].replace('\n\n', '\n. '))
        stops = os.path.join(tmp, 'stops.yaml')
        with open(stops, 'w', encoding='utf-8') as f:
            f.write('themes:\n  a:\n    label: A\n    terms: [santé]\n'
                    "    regex: ['(a+)+$']\n")
        bad = os.path.join(tmp, 'bad-part.md')
        head = text + '\n\n' + text[:1500000] + '\n\n'
        with open(bad, 'w', encoding='utf-8') as f:
            f.write(head + 'a' * 30000 + 'b\n\n' + text[:1000000])
        stop_at = b':%d: regex rule' % (head.count('\n') + 1)
        # a codebook that codes nearly every word keeps more codings than
        # the first pass may hold in memory (16 MB here): the others wait
        # in a file
        dense = os.path.join(tmp, 'dense.yaml')
        with open(dense, 'w', encoding='utf-8') as f:
            f.write('themes:\n  tout:\n    label: Tout\n    terms: [%s]\n'
                    % ', '.join('%s*' % chr(c) for c in range(97, 123)))
        for path, extra, fmts, jobs in (
                (big, [], ('json', 'csv'), ('1', '2', '3')),
                (tail, [], ('json', 'csv'), ('1', '2', '3')),
                (bad, ['-c', stops], ('json', 'csv'), ('1', '2', '3')),
                (tail, ['-c', dense], ('json',), ('1', '2'))):
            for fmt in fmts:
                for j in jobs:
                    args = ['tag', '-j', j, '-f', fmt] + extra
                    named = subprocess.run([G] + args + [note, path],
                                           capture_output=True)
                    with open(path, 'rb') as f:
                        piped = subprocess.run([G] + args + [note, '-'],
                                               stdin=f, capture_output=True)
                    out = piped.stdout
                    err = piped.stderr
                    if fmt == 'json':
                        out = out.replace(b'"name": "<stdin>"',
                                          b'"name": "%s"' % path.encode(), 1)
                    else:  # the first cell of every row
                        out = out.replace(b'\n<stdin>,',
                                          b'\n%s,' % path.encode())
                    err = err.replace(b'<stdin>', path.encode())
                    want_rc = 1 if extra and extra[1] == stops else 0
                    ok = (named.returncode == want_rc and
                          piped.returncode == want_rc and
                          named.stdout == out and named.stderr == err and
                          (want_rc or len(named.stdout) > 1000) and
                          (not want_rc or stop_at in named.stderr))
                    n += 1
                    failed += not ok
                    print('%s %d - %s%s, %s, -j %s: the same named and from '
                          'standard input' % ('ok' if ok else 'not ok', n,
                                       os.path.basename(path),
                                       ' (dense)' if extra and
                                       extra[1] == dense else '', fmt, j))
        # a codebook that codes nearly every word, on 20 MB: the codings of
        # most parts wait in one temporary file (one per part ran out of
        # descriptors: 10 here)
        wide = os.path.join(tmp, 'wide.md')
        with open(wide, 'w', encoding='utf-8') as f:
            f.write('\n\n'.join([text] * 7))

        def few_files():
            resource.setrlimit(resource.RLIMIT_NOFILE, (10, 10))
        free, _ = digest(['tag', '-f', 'json', '-c', dense, wide])
        out = subprocess.run([G, 'tag', '-f', 'json', '-c', dense, wide],
                             capture_output=True, preexec_fn=few_files)
        ok = (out.returncode == 0 and
              hashlib.sha256(out.stdout).hexdigest() == free)
        n += 1
        failed += not ok
        print('%s %d - 20 MB coded word for word, with 10 descriptors (%s)'
              % ('ok' if ok else 'not ok', n,
                 out.stderr.decode()[-100:] or 'rc %d' % out.returncode))
        # The parts of a large file, coded apart and in two passes, give
        # what the whole text coded at once gives: the project's segments
        # and codings after `grille add`, which codes a document whole.
        db = os.path.join(tmp, 'whole.db')
        subprocess.run([G, 'init', '-d', db], check=True, capture_output=True)
        subprocess.run([G, 'add', '-d', db, big, tail], check=True,
                       capture_output=True)
        con = sqlite3.connect(db)
        for path in (big, tail):
            name = os.path.basename(path)
            segs = con.execute(
                'SELECT g.idx, g.start, g."end", g.line FROM segments g JOIN '
                'documents d ON d.id = g.document WHERE d.name = ? '
                'ORDER BY g.idx', (name,)).fetchall()
            cods = con.execute(
                'SELECT g.idx, k.code, c.start, c."end", c.term, c.rule '
                'FROM codings c JOIN segments g ON g.id = c.segment '
                'JOIN documents d ON d.id = g.document '
                'JOIN codes k ON k.id = c.code WHERE d.name = ? '
                'ORDER BY g.idx, c.start, k.position, c."end"',
                (name,)).fetchall()
            for j in ('1', '2'):
                out = subprocess.run([G, 'tag', '-j', j, '-f', 'json', path],
                                     capture_output=True)
                doc = json.loads(out.stdout)
                ok = (out.returncode == 0 and len(segs) > 1000 and
                      [(x['index'], x['start'], x['end'], x['line'])
                       for x in doc['segments']] == segs and
                      [(x['segment'], x['code'], x['start'], x['end'],
                        x['term'], x['rule']) for x in doc['codings']] ==
                      [tuple(r) for r in cods])
                n += 1
                failed += not ok
                print('%s %d - %s, -j %s: in parts as the whole text added '
                      'to a project (%d segments, %d codings)' % (
                          'ok' if ok else 'not ok', n, name, j, len(segs),
                          len(cods)))
        con.close()
        # A Windows-1252 file of 2,000,000 bytes is 2.3 MB in UTF-8: cut in
        # parts when it is alone, one part in a batch with notes (its file
        # did not say it was large); both ways give the same document, in
        # every format.
        w1252 = os.path.join(tmp, 'w1252.md')
        with open(w1252, 'wb') as f:
            f.write(text.replace('e', '\u00e9').encode('cp1252',
                                                        'replace')[:2000000])
        for fmt in ('json', 'text', 'csv'):
            def tagged(*files):
                out = subprocess.run([G, 'tag', '-f', fmt] + list(files),
                                     capture_output=True)
                assert out.returncode == 0, out.stderr.decode()[-200:]
                return out.stdout
            together = tagged(note, w1252, note)
            apart = tagged(note) + tagged(w1252) + tagged(note)
            if fmt == 'csv':  # one header line per run
                head = together.split(b'\n', 1)[0] + b'\n'
                apart = head + apart.replace(head, b'')
            ok = together == apart and len(together) > 1000000
            n += 1
            failed += not ok
            print('%s %d - %s: 2.3 MB in parts alone, in one part among '
                  'notes: the same' % ('ok' if ok else 'not ok', n, fmt))
        # A pipe given by name (/dev/stdin), its size unknown, among notes:
        # a batch of its own, as a large file has (coded whole, it took
        # twice the memory of one in parts), and never read by a thread
        # past a batch's end (it could not be read again).
        with open(tail, 'rb') as f:
            data = f.read()
        want = b''.join(subprocess.run([G, 'tag', '-f', 'json', x],
                                       capture_output=True).stdout
                        for x in (note, tail, note))
        for j in ('1', '2', '3'):
            out = subprocess.run([G, 'tag', '-j', j, '-f', 'json', note,
                                  '/dev/stdin', note], input=data,
                                 capture_output=True)
            ok = (out.returncode == 0 and
                  out.stdout.replace(b'"name": "/dev/stdin"',
                                     b'"name": "%s"' % tail.encode()) == want)
            n += 1
            failed += not ok
            print('%s %d - -j %s: a pipe by name among notes' % (
                'ok' if ok else 'not ok', n, j))
        # standard input through a pipe, 64 KiB a read: a large text (its
        # buffer grew at every read, and 1 MB asked for gigabytes)
        with open(tail, 'rb') as f:
            data = f.read()
        piped = subprocess.run([G, 'tag', '-f', 'json', '-'], input=data,
                               capture_output=True)
        named = subprocess.run([G, 'tag', '-f', 'json', tail],
                               capture_output=True)
        ok = (piped.returncode == 0 and len(data) > 5000000 and
              piped.stdout == named.stdout.replace(
                  b'"name": "%s"' % tail.encode(), b'"name": "<stdin>"', 1))
        n += 1
        failed += not ok
        print('%s %d - %d bytes of standard input through a pipe' % (
            'ok' if ok else 'not ok', n, len(data)))
        print('1..%d' % n)
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
