#!/usr/bin/env python3
"""End-to-end tests of the aggregates kept with the codings (tables
doc_stats and term_stats).

cooc, compare and report read one doc_stats row per document instead of
every coding, and the report's top terms one term_stats row per code and
term.  After each kind of write to a project of corpus/ (add, attr, recode
with an edited codebook, an import that brings manual codings and a code of
its own, rm, and the upgrade of a project made before the tables existed),
this script checks that:

- every document's row equals what it recomputes here, without grille,
  from the segments, codings and codes tables: segments, coded segments,
  words, and per code (children rolled up into parents) segments, hits and
  the best quote (most hits, then a readable length, the first such: its
  segment, hits, length, start, line, and where the first coding of the
  code or of one under it starts in it); per pair of codes the segments
  coded with both;
- every (code, term) row of term_stats holds the number of codings of that
  code with that term, and the earliest of them (by segment, then id), as
  recomputed here; no row is missing or left over;
- `grille cooc`, `grille compare` and `grille report` give the same bytes as
  on a copy of the project without the doc_stats rows, where grille counts
  from the codings themselves.

Prints TAP; exits 1 when a check fails.
"""
import glob
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

from taplib import Skip, check, edited_codebook, plan

G = os.environ['GRILLE']
S = os.environ['GRILLE_SOURCE_DIR']
CORPUS = sorted(glob.glob(os.path.join(S, 'corpus', '*')))
TMP = tempfile.mkdtemp(prefix='grille-stats-')
DB = os.path.join(TMP, 'p.db')


def grille(*args):
    out = subprocess.run([G] + list(args), capture_output=True, cwd=TMP)
    assert out.returncode == 0, (args, out.stderr.decode()[-400:])
    return out


def uvs(blob):
    """The unsigned LEB128 numbers of a blob."""
    v, shift, out = 0, 0, []
    for byte in blob:
        v |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            out.append(v)
            v, shift = 0, 0
    assert shift == 0, 'a number cut short'
    return out


def uv(v):
    """v as unsigned LEB128."""
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        out.append(byte | (0x80 if v else 0))
        if not v:
            return bytes(out)


SCHEMA = 8  # the schema this grille writes
CELL = 9  # numbers per code in doc_stats' cells (6 before schema 5)


def score(hits, length):
    if not hits:
        return 0
    return hits * 1000 + (500 if length >= 40 else 0) + min(length, 250)


def expected(con):
    """{document: (segments, coded, words, cells, pairs)} from the tables;
    cells {code: [segments, hits, best, best hits, best length, its start,
    its line, its first coding of the code from its start]}, pairs
    {(a, b): segments} with a < b."""
    parent = dict(con.execute('SELECT id, parent FROM codes'))
    out = {}
    for doc, words in con.execute('SELECT id, words FROM documents'):
        nseg = con.execute('SELECT count(*) FROM segments WHERE document = ?',
                           (doc,)).fetchone()[0]
        per_seg = {}
        for seg, gstart, length, line, code, start in con.execute(
                'SELECT c.segment, g.start, g."end" - g.start, g.line, '
                'c.code, c.start FROM codings c JOIN segments g ON g.id = '
                'c.segment WHERE g.document = ? ORDER BY c.segment, c.id',
                (doc,)):
            _, _, _, hits, first = per_seg.setdefault(
                seg, (gstart, length, line, {}, {}))
            c = code
            while c is not None:
                hits[c] = hits.get(c, 0) + 1
                if start >= gstart and start < first.get(c, start + 1):
                    first[c] = start
                c = parent.get(c)
        cells, pairs, coded = {}, {}, 0
        for seg in sorted(per_seg):
            gstart, length, line, hits, first = per_seg[seg]
            if not hits:
                continue
            coded += 1
            for c, h in hits.items():
                k = cells.setdefault(c, [0] * (CELL - 1))
                k[0] += 1
                k[1] += h
                if score(h, length) > score(k[3], k[4]):
                    k[2:] = [seg, h, length, gstart, line,
                             first[c] - gstart if c in first else 0]
            for a in hits:
                for b in hits:
                    if a < b:
                        pairs[(a, b)] = pairs.get((a, b), 0) + 1
        out[doc] = (nseg, coded, words, cells, pairs)
    return out


def stored(con):
    out = {}
    for doc, nseg, coded, words, cb, pb in con.execute(
            'SELECT document, segments, coded, words, cells, pairs FROM '
            'doc_stats'):
        v = uvs(cb)
        assert len(v) == 1 + CELL * v[0], 'cells of #%d: %r' % (doc, v)
        cells = {v[1 + CELL * i]: v[2 + CELL * i:1 + CELL * (i + 1)]
                 for i in range(v[0])}
        w = uvs(pb)
        assert len(w) == 1 + 3 * w[0], 'pairs of #%d: %r' % (doc, w)
        pairs = {(w[1 + 3 * i], w[1 + 3 * i] + w[2 + 3 * i]): w[3 + 3 * i]
                 for i in range(w[0])}
        out[doc] = (nseg, coded, words, cells, pairs)
    return out


def terms_right(con):
    """term_stats == the codings of segments that are there, counted."""
    want = {}
    for seg, cid, code, term in con.execute(
            'SELECT c.segment, c.id, c.code, c.term FROM codings c JOIN '
            'segments g ON g.id = c.segment ORDER BY c.segment, c.id'):
        k = want.setdefault((code, term), [0, seg, cid])
        k[0] += 1
    got = {(code, term): [hits, seg, cid] for code, term, hits, seg, cid in
           con.execute('SELECT code, term, hits, first_segment, '
                       'first_coding FROM term_stats')}
    if want == got:
        return None if want else 'no term counted: proves nothing'
    diff = sorted(k for k in set(want) | set(got)
                  if want.get(k) != got.get(k))
    return 'term_stats: %d rows wrong, e.g. %r expected %r, stored %r' % (
        len(diff), diff[0], want.get(diff[0]), got.get(diff[0]))


def rows_right(db=DB):
    con = sqlite3.connect(db)
    want, got = expected(con), stored(con)
    bad = terms_right(con)
    con.close()
    if bad:
        return bad
    if set(want) != set(got):
        return 'documents %r, rows for %r' % (sorted(want), sorted(got))
    for doc in sorted(want):
        if want[doc] != got[doc]:
            return ('document #%d: expected %r, stored %r' % (
                doc, want[doc], got[doc]))[:600]
    if not any(w[3] for w in want.values()):
        return 'nothing coded: the check would prove nothing'
    return None


SYNTH = [['cooc', '-f', 'json'], ['cooc', '--all', '-f', 'csv'],
         ['cooc', '--level', 'document', '-f', 'json'],
         ['compare', '--by', 'type', '-f', 'json'],
         ['compare', '--by', 'collectivite', '--all', '-f', 'csv'],
         # the report: counts and best quotes from doc_stats, top terms
         # from term_stats
         ['report', '-f', 'json'], ['report', '--all', '-f', 'csv'],
         ['report', '-n', '5', '--by', 'type']]


def same_as_from_codings(db=DB):
    """cooc, compare and report from doc_stats == from the codings (on a
    copy without the rows)."""
    slow = os.path.join(TMP, 'slow.db')
    for f in glob.glob(slow + '*'):
        os.unlink(f)
    src = sqlite3.connect(db)
    dst = sqlite3.connect(slow)
    src.backup(dst)
    src.close()
    dst.execute('DELETE FROM doc_stats')
    dst.commit()
    dst.close()
    for args in SYNTH:
        fast = grille(*(args + ['-d', db])).stdout
        ref = grille(*(args + ['-d', slow])).stdout
        if fast.replace(db.encode(), b'DB') != ref.replace(slow.encode(),
                                                            b'DB'):
            return '%s differs from the count over the codings' % ' '.join(
                args)
        if len(fast) < 50:
            return '%s says too little: %r' % (' '.join(args), fast)
    return None


def both(db=DB):
    return rows_right(db) or same_as_from_codings(db)


def t_add():
    grille('init', '-d', DB)
    grille('add', '-d', DB, *CORPUS)
    return both()


def t_attr():
    grille('attr', 'set', '-d', DB, os.path.basename(CORPUS[0]), 'type=ccas')
    return both()


def t_recode():
    """A codebook with a new sub-theme under sante: its codings roll up
    into sante, whose counts change."""
    edited = edited_codebook(S, os.path.join(TMP, 'edited.yaml'),
                             ['soins', 'écoute', 'médecin*', 'isolement'])
    grille('codebook', 'check', edited)
    before = sqlite3.connect(DB).execute(
        'SELECT count(*) FROM codings').fetchone()[0]
    out = grille('recode', '-d', DB, '-c', edited).stdout.decode()
    # the totals add up the themes' rows: a sub-theme's are in its theme's
    rows = [l.split() for l in out.splitlines()[1:-1]]
    themes = [r for r in rows if '/' not in r[0]]
    gained = sum(int(r[3]) for r in themes)
    lost = -sum(int(r[4]) for r in themes)
    if '%d segment coding%s gained, %d lost' % (
            gained, '' if gained == 1 else 's', lost) not in out:
        return 'recode totals are not the themes\' sums: %r' % out[-300:]
    if not any(r[0] == 'sante/mentale' and r[3] != '0' for r in rows):
        return 'test bug: sante/mentale gained nothing: %r' % out[-600:]
    con = sqlite3.connect(DB)
    after = con.execute('SELECT count(*) FROM codings').fetchone()[0]
    mentale = con.execute(
        "SELECT count(*) FROM codings c JOIN codes k ON k.id = c.code "
        "WHERE k.code = 'sante/mentale'").fetchone()[0]
    con.close()
    if after <= before or not mentale:
        return 'the new sub-theme coded nothing (%d, %d)' % (before, after)
    return both()


def t_import_manual():
    """Hand codings, by another coder and of a code the project did not
    have, into the documents already there."""
    grille('export', '-d', DB, '-f', 'qdpx', '-o', 'p.qdpx')
    z = zipfile.ZipFile(os.path.join(TMP, 'p.qdpx'))
    ns = 'urn:QDA-XML:project:1.0'
    ET.register_namespace('', ns)
    root = ET.fromstring(z.read('project.qde'))
    q = '{%s}' % ns
    users = root.find(q + 'Users')
    ET.SubElement(users, q + 'User', guid='bbbbbbbb-0000-4000-8000-'
                  '000000000002', name='Léa Martin')
    codes = root.find(q + 'CodeBook').find(q + 'Codes')
    hand = ET.SubElement(codes, q + 'Code', guid='cccccccc-0000-4000-8000-'
                         '000000000003', name='Hand only', isCodable='true')
    # a grandchild coded by hand under a child that is not: its codings
    # count for the child and for Hand only all the same
    mid = ET.SubElement(hand, q + 'Code', guid='cccccccc-0000-4000-8000-'
                        '000000000004', name='Mid', isCodable='true')
    ET.SubElement(mid, q + 'Code', guid='cccccccc-0000-4000-8000-'
                  '000000000005', name='Kid', isCodable='true')
    sante = [c for c in codes if c.get('name', '').lower().startswith(
        'sant')]
    n = 0
    for src in root.find(q + 'Sources').findall(q + 'TextSource')[:5]:
        for k, (a, b, code) in enumerate([
                (0, 40, 'cccccccc-0000-4000-8000-000000000003'),
                (10, 90, sante[0].get('guid') if sante else
                 'cccccccc-0000-4000-8000-000000000003'),
                (60, 200, 'cccccccc-0000-4000-8000-000000000005')]):
            s = ET.SubElement(src, q + 'PlainTextSelection',
                              guid='dddddddd-0000-4000-8000-%012d' % n,
                              startPosition=str(a), endPosition=str(b),
                              creatingUser='bbbbbbbb-0000-4000-8000-'
                              '000000000002')
            c = ET.SubElement(s, q + 'Coding', guid='eeeeeeee-0000-4000-'
                              '8000-%012d' % n, creatingUser='bbbbbbbb-0000'
                              '-4000-8000-000000000002')
            ET.SubElement(c, q + 'CodeRef', targetGUID=code)
            n += 1
    with zipfile.ZipFile(os.path.join(TMP, 'hand.qdpx'), 'w') as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == 'project.qde':
                data = ET.tostring(root, encoding='utf-8',
                                   xml_declaration=True)
            out.writestr(item.filename, data)
    grille('import', '-d', DB, 'hand.qdpx')
    manual = sqlite3.connect(DB).execute(
        "SELECT count(*) FROM codings WHERE origin = 'manual'").fetchone()[0]
    if manual < 15:
        return 'only %d manual codings imported' % manual
    # cooc --all has the three levels, and Hand only counts every segment
    # coded with it or below it
    out = json.loads(grille('cooc', '--all', '-f', 'json', '-d', DB).stdout)
    con = sqlite3.connect(DB)
    ids = dict(con.execute('SELECT code, id FROM codes'))
    parent = dict(con.execute('SELECT id, parent FROM codes'))
    segs = set()
    for seg, code in con.execute('SELECT segment, code FROM codings'):
        while code is not None and code != ids['hand_only']:
            code = parent.get(code)
        if code is not None:
            segs.add(seg)
    con.close()
    names = out['codes']
    if not {'hand_only', 'hand_only/mid', 'hand_only/mid/kid'} <= set(names):
        return 'cooc --all codes: %r' % names
    k = names.index('hand_only')
    if out['count'][k][k] != len(segs) or not segs:
        return 'hand_only: %r segments, expected %d' % (
            out['count'][k][k], len(segs))
    return both()


def t_recode_back():
    """With manual codings in the project, a recode with the bundled
    codebook drops the sub-theme's codings and keeps the manual ones."""
    con = sqlite3.connect(DB)
    manual = con.execute("SELECT count(*) FROM codings WHERE origin = "
                         "'manual'").fetchone()[0]
    con.close()
    grille('recode', '-d', DB)
    grille('recode', '-d', DB, '-c',
           os.path.join(S, 'codebooks', 'riposte.yaml'))
    con = sqlite3.connect(DB)
    left = con.execute(
        "SELECT count(*) FROM codings c JOIN codes k ON k.id = c.code "
        "WHERE k.code = 'sante/mentale'").fetchone()[0]
    still = con.execute("SELECT count(*) FROM codings WHERE origin = "
                        "'manual'").fetchone()[0]
    con.close()
    if left or still != manual:
        return 'after the recode: %d mentale codings, %d of %d manual' % (
            left, still, manual)
    return both()


def t_recode_same():
    """A recode with the same codebook writes no coding: each keeps its
    row id (and its GUID in an export), and nothing is gained or lost."""
    q = 'SELECT id, segment, code, start, "end", rule, origin FROM codings'
    con = sqlite3.connect(DB)
    before = sorted(con.execute(q))
    con.close()
    out = grille('recode', '-d', DB).stdout.decode()
    con = sqlite3.connect(DB)
    after = sorted(con.execute(q))
    con.close()
    if before != after:
        return 'the codings were rewritten (%d rows, then %d)' % (
            len(before), len(after))
    if '0 segment codings gained, 0 lost' not in out:
        return 'recode says: %r' % out[-200:]
    return both()


def t_rm():
    """The note removed holds the earliest coding of some terms: the
    flush finds the next one in the codings."""
    con = sqlite3.connect(DB)
    doc = con.execute('SELECT id FROM documents WHERE name = ?',
                      (os.path.basename(CORPUS[1]),)).fetchone()[0]
    firsts = con.execute(
        'SELECT count(*) FROM term_stats t JOIN segments g ON g.id = '
        't.first_segment WHERE g.document = ?', (doc,)).fetchone()[0]
    con.close()
    if not firsts:
        return 'the note removed has no earliest coding: proves little'
    grille('rm', '-d', DB, os.path.basename(CORPUS[1]))
    return both()


def t_replace():
    """A note edited since it was added, added again with --replace: its
    old version's rows go, the new one's come, with the attribute set
    by hand carried over."""
    note = os.path.join(TMP, 'edited-note.md')
    with open(CORPUS[3], encoding='utf-8', errors='replace') as fh:
        text = fh.read()
    with open(note, 'w', encoding='utf-8') as fh:
        fh.write(text + '\n- les masques FFP2 livrés, le télétravail '
                 'prolongé\n')
    grille('add', '-d', DB, note)
    grille('attr', 'set', '-d', DB, 'edited-note.md', 'strate=rural')
    with open(note, 'w', encoding='utf-8') as fh:
        fh.write(text + '\n- la reprise des écoles, les élus présents\n')
    r = grille('add', '-d', DB, '--replace', note)
    if b'1 replaced' not in r.stdout:
        return 'not replaced: %r' % r.stdout
    con = sqlite3.connect(DB)
    got = con.execute("SELECT a.value FROM attributes a JOIN documents d ON "
                      "d.id = a.document WHERE d.name = 'edited-note.md' "
                      "AND a.key = 'strate'").fetchall()
    n = con.execute("SELECT count(*) FROM documents WHERE name = "
                    "'edited-note.md'").fetchone()[0]
    con.close()
    if got != [('rural',)] or n != 1:
        return 'attribute or documents: %r, %d' % (got, n)
    return both()


OLD_CODINGS = (
    'CREATE TABLE old_codings (id INTEGER PRIMARY KEY, segment INTEGER NOT '
    'NULL REFERENCES segments (id) ON DELETE CASCADE, code INTEGER NOT NULL '
    'REFERENCES codes (id), start INTEGER NOT NULL, "end" INTEGER NOT NULL, '
    'term TEXT NOT NULL, rule TEXT NOT NULL, origin TEXT NOT NULL CHECK '
    "(origin IN ('automatic', 'manual')), coder TEXT) STRICT")


def older(version, name):
    """A copy of the project as schema `version` left it: before schema 5,
    six numbers per code in doc_stats' cells; before schema 4, codings
    numbered 1, 2, 3... (in the order of their ids now) and indexed by
    segment."""
    old = os.path.join(TMP, name)
    src = sqlite3.connect(DB)
    dst = sqlite3.connect(old)
    src.backup(dst)
    src.close()
    for doc, cb in dst.execute('SELECT document, cells FROM doc_stats'
                               ).fetchall():
        v = uvs(cb)
        six = [v[0]]
        for i in range(v[0]):
            six += v[1 + CELL * i:7 + CELL * i]
        dst.execute('UPDATE doc_stats SET cells = ? WHERE document = ?',
                    (b''.join(uv(x) for x in six), doc))
    dst.commit()
    if version < 7:
        dst.execute('DROP INDEX documents_file')
        dst.execute('ALTER TABLE documents DROP COLUMN file')
        dst.commit()
    if version >= 4:
        dst.execute("UPDATE meta SET value = '%d' WHERE key = "
                    "'schema_version'" % version)
        dst.execute('PRAGMA user_version = %d' % version)
        dst.commit()
        dst.close()
        return old
    dst.execute(OLD_CODINGS)
    dst.execute('INSERT INTO old_codings (segment, code, start, "end", term, '
                'rule, origin, coder) SELECT segment, code, start, "end", '
                'term, rule, origin, coder FROM codings ORDER BY id')
    # term_stats' earliest codings, renumbered the same way
    dst.execute('UPDATE term_stats SET first_coding = (SELECT count(*) FROM '
                'codings c WHERE c.id <= first_coding)')
    dst.execute('DROP TABLE codings')
    dst.execute('ALTER TABLE old_codings RENAME TO codings')
    dst.execute('CREATE INDEX codings_segment ON codings (segment)')
    if version < 3:
        dst.execute('DROP TABLE term_stats')
        dst.execute('DROP INDEX attributes_key')
    if version < 2:
        dst.execute('DROP TABLE doc_stats')
    dst.execute("UPDATE meta SET value = '%d' WHERE key = 'schema_version'"
                % version)
    dst.execute('PRAGMA user_version = %d' % version)
    dst.commit()
    dst.close()
    return old


def upgraded(old):
    con = sqlite3.connect(old)
    v = con.execute('PRAGMA user_version').fetchone()[0]
    m = con.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                    ).fetchone()[0]
    con.close()
    con = sqlite3.connect(old)
    bad = con.execute('SELECT count(*) FROM codings WHERE id >> 28 != '
                      'segment').fetchone()[0]
    index = con.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                        "'codings_segment'").fetchone()[0]
    con.close()
    if v != SCHEMA or m != str(SCHEMA):
        return 'after the upgrade: user_version %r, meta %r' % (v, m)
    if bad or index:
        return ('after the upgrade: %d coding ids without their segment, '
                'index %r' % (bad, index))
    return both(old)


def t_upgrade():
    """A project of schema 1 (no doc_stats, no term_stats) is upgraded
    when it is first opened for writing."""
    old = older(1, 'old1.db')
    grille('add', '-d', old, CORPUS[0])  # already there: opens, upgrades
    return upgraded(old)


def t_upgrade_v3():
    """A project of schema 3 (codings numbered in order, indexed by
    segment): its codings renumbered by segment, term_stats following, the
    same report."""
    ref = grille('report', '-d', DB, '-f', 'json').stdout
    old = older(3, 'old3.db')
    con = sqlite3.connect(old)
    before = con.execute('SELECT count(*), max(id) FROM codings').fetchone()
    con.close()
    if before[0] != before[1]:
        return 'test bug: the schema 3 copy is not numbered 1..n: %r' % (
            before,)
    # already there: opens, upgrades, and says so (it may take a while)
    up = grille('add', '-d', old, CORPUS[0]).stderr.decode()
    if 'upgrading the project from schema 3 to %d' % SCHEMA not in up:
        return 'the upgrade was not announced: %r' % up
    again = grille('add', '-d', old, CORPUS[0]).stderr.decode()
    if 'upgrading' in again:
        return 'announced again once upgraded: %r' % again
    out = grille('report', '-d', old, '-f', 'json').stdout
    if out.replace(old.encode(), b'DB') != ref.replace(DB.encode(), b'DB'):
        return 'the report after the upgrade from schema 3 is not the same'
    return upgraded(old)


def t_upgrade_v4():
    """A project of schema 4 (six numbers per code in doc_stats' cells):
    its rows computed again, the same report, its quotes placed from
    doc_stats."""
    ref = grille('report', '-d', DB).stdout
    old = older(4, 'old4.db')
    up = subprocess.run([G, 'report', '-d', old], capture_output=True)
    if up.returncode != 0:
        return 'report on schema 4: %r' % up.stderr[-300:]
    if ('upgrading the project from schema 4 to %d' % SCHEMA).encode() not in up.stderr:
        return 'the upgrade was not announced: %r' % up.stderr
    if up.stdout.replace(old.encode(), b'DB') != ref.replace(DB.encode(),
                                                             b'DB'):
        return 'the report after the upgrade from schema 4 is not the same'
    return upgraded(old)


def t_upgrade_v3_view_trigger():
    """The upgrade from schema 3 makes table codings anew: another tool's
    view on it still reads it, its triggers (the table's name in any case)
    are there and fire, its index is there."""
    old = older(3, 'old3v.db')
    con = sqlite3.connect(old)
    con.executescript(
        'CREATE VIEW coded AS SELECT c.id, g.document FROM codings c JOIN '
        'segments g ON g.id = c.segment;'
        'CREATE TABLE gone (id INTEGER);'
        'CREATE TRIGGER codings_gone AFTER DELETE ON codings BEGIN '
        'INSERT INTO gone VALUES (old.id); END;'
        'CREATE TRIGGER codings_gone_twice AFTER DELETE ON CODINGS BEGIN '
        'INSERT INTO gone VALUES (-old.id); END;'
        'CREATE INDEX codings_by_code ON codings (code);')
    con.close()
    out = subprocess.run([G, 'list', '-d', old], capture_output=True)
    if out.returncode != 0:
        return 'list on schema 3 with a view: %r' % out.stderr[-300:]
    con = sqlite3.connect(old)
    n = con.execute('SELECT count(*) FROM coded').fetchone()[0]
    all_ = con.execute('SELECT count(*) FROM codings').fetchone()[0]
    trig = con.execute("SELECT count(*) FROM sqlite_master WHERE type = "
                       "'trigger' AND lower(tbl_name) = 'codings'"
                       ).fetchone()[0]
    index = con.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                        "'codings_by_code'").fetchone()[0]
    con.close()
    if n != all_ or not n:
        return 'the view reads %d codings of %d' % (n, all_)
    if trig != 2:
        return '%d of the 2 triggers on codings are left' % trig
    if index != 1:
        return 'the index another tool made on codings is gone'
    grille('rm', '-d', old, os.path.basename(CORPUS[0]))
    con = sqlite3.connect(old)
    fired = con.execute('SELECT count(*) FROM gone WHERE id > 0'
                        ).fetchone()[0]
    twice = con.execute('SELECT count(*) FROM gone WHERE id < 0'
                        ).fetchone()[0]
    con.close()
    if not fired or fired != twice:
        return 'the triggers fired %d and %d times on rm' % (fired, twice)
    return upgraded(old)


def t_upgrade_read():
    """A project of schema 2 (no term_stats) is upgraded by a command that
    only reads, when its file may be written; the report is the same as
    before the upgrade."""
    ref = grille('report', '-d', DB).stdout
    old = older(2, 'old2.db')
    out = subprocess.run([G, 'report', '-d', old], capture_output=True)
    if out.returncode != 0:
        return 'report on schema 2: %r' % out.stderr[-300:]
    if out.stdout.replace(old.encode(), b'DB') != ref.replace(
            DB.encode(), b'DB'):
        return 'the report after the upgrade is not the same'
    return upgraded(old)


def t_read_only_v2():
    """A project of schema 2 that may not be written is read as it is: the
    report is the same, its top terms counted from the codings."""
    ref = grille('report', '-d', DB, '-f', 'json').stdout
    shared = tempfile.mkdtemp(prefix='grille-ro-')
    os.chmod(shared, 0o755)
    old = older(2, 'ro2.db')
    ro = os.path.join(shared, 'ro2.db')
    shutil.copy(old, ro)
    os.chmod(ro, 0o444)
    cmd = [G, 'report', '-d', ro, '-f', 'json']
    if os.geteuid() == 0:  # root may write anything: read as nobody
        setpriv = shutil.which('setpriv')
        if not setpriv:
            shutil.rmtree(shared, ignore_errors=True)
            return Skip('no setpriv to read as another user')
        cmd = [setpriv, '--reuid=nobody', '--regid=nogroup',
               '--clear-groups'] + cmd
    out = subprocess.run(cmd, capture_output=True, cwd=shared)
    con = sqlite3.connect('file:%s?mode=ro' % ro, uri=True)
    v = con.execute('PRAGMA user_version').fetchone()[0]
    con.close()
    shutil.rmtree(shared, ignore_errors=True)
    if out.returncode != 0:
        return 'report on a read-only schema 2: %r' % out.stderr[-300:]
    if v != 2:
        return 'the read-only project was changed (version %r)' % v
    if out.stdout.replace(ro.encode(), b'DB') != ref.replace(DB.encode(),
                                                             b'DB'):
        return 'the report of the read-only schema 2 project differs'
    return None


def t_read_only_v2_quotes():
    """quotes on a read-only project of schema 2 whose codings are not in
    their segments' order (hand codings added later): the same verbatims
    as on the project they come from, counted by segment all the same."""
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        return Skip('needs root and setpriv to read as another user')
    args = [['quotes', 'sante', '-f', 'json'],
            ['quotes', 'sante', '-n', '2', '--by', 'type', '-f', 'csv'],
            ['quotes', 'teletravail', '-n', '50', '-f', 'json']]
    refs = [grille(*(a + ['-d', DB])).stdout for a in args]
    old = older(2, 'q2.db')
    con = sqlite3.connect(old)
    # a segment's codings apart: by code, then as they were
    con.execute('CREATE TABLE shuffled AS SELECT * FROM codings ORDER BY '
                'code DESC, id')
    con.execute('DELETE FROM codings')
    con.execute('INSERT INTO codings (segment, code, start, "end", term, '
                'rule, origin, coder) SELECT segment, code, start, "end", '
                'term, rule, origin, coder FROM shuffled')
    con.execute('DROP TABLE shuffled')
    apart = con.execute(
        'SELECT count(*) FROM (SELECT segment FROM codings GROUP BY segment '
        'HAVING max(id) - min(id) + 1 > count(*))').fetchone()[0]
    con.commit()
    con.close()
    if not apart:
        return 'test bug: every segment\'s codings still together'
    shared = tempfile.mkdtemp(prefix='grille-roq-')
    os.chmod(shared, 0o755)
    ro = os.path.join(shared, 'q2.db')
    shutil.copy(old, ro)
    os.chmod(ro, 0o444)
    nobody = [shutil.which('setpriv'), '--reuid=nobody', '--regid=nogroup',
              '--clear-groups']
    outs = [subprocess.run(nobody + [G] + a + ['-d', ro], capture_output=True,
                           cwd=shared) for a in args]
    con = sqlite3.connect('file:%s?mode=ro' % ro, uri=True)
    v = con.execute('PRAGMA user_version').fetchone()[0]
    con.close()
    shutil.rmtree(shared, ignore_errors=True)
    if v != 2:
        return 'the read-only project was changed (version %r)' % v
    for a, ref, out in zip(args, refs, outs):
        if out.returncode != 0:
            return '%s: %r' % (' '.join(a), out.stderr[-300:])
        if len(ref) < 200:
            return 'test bug: %s says too little: %r' % (' '.join(a), ref)
        if out.stdout != ref:
            return '%s on schema 2 differs' % ' '.join(a)
    return None


def t_read_only_folder():
    """A project its reader may write, in a folder the reader may not
    (where SQLite would put its -wal and -shm): read as it is, the same
    report; a write is refused and says why."""
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        return Skip('needs root and setpriv to read as another user')
    ref = grille('report', '-d', DB, '-f', 'json').stdout
    shared = tempfile.mkdtemp(prefix='grille-rof-')
    os.chmod(shared, 0o755)
    db = os.path.join(shared, 'p.db')
    shutil.copy(DB, db)
    shutil.chown(db, user='nobody')
    os.chmod(db, 0o644)
    nobody = [shutil.which('setpriv'), '--reuid=nobody', '--regid=nogroup',
              '--clear-groups']
    rd = subprocess.run(nobody + [G, 'report', '-d', db, '-f', 'json'],
                        capture_output=True, cwd=shared)
    wr = subprocess.run(nobody + [G, 'rm', '-d', db,
                                  os.path.basename(CORPUS[0])],
                        capture_output=True, cwd=shared)
    left = sorted(os.listdir(shared))
    shutil.rmtree(shared, ignore_errors=True)
    if rd.returncode != 0:
        return 'report in a read-only folder: %r' % rd.stderr[-300:]
    if rd.stdout.replace(db.encode(), b'DB') != ref.replace(DB.encode(),
                                                            b'DB'):
        return 'the report in a read-only folder differs'
    if wr.returncode != 1 or b'folder' not in wr.stderr:
        return 'rm in a read-only folder: %d %r' % (wr.returncode,
                                                     wr.stderr[-300:])
    if left != ['p.db']:
        return 'files left beside the project: %r' % left
    return None


def t_read_only_pending_wal():
    """A reader that may not write, of a project whose changes still wait
    in its -wal (a writer holds it open): it sees them, as a writer would."""
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        return Skip('needs root and setpriv to read as another user')
    shared = tempfile.mkdtemp(prefix='grille-wal-')
    os.chmod(shared, 0o755)
    db = os.path.join(shared, 'p.db')
    shutil.copy(DB, db)
    os.chmod(db, 0o644)
    holder = sqlite3.connect(db)  # keeps the -wal from its checkpoint
    holder.execute('SELECT count(*) FROM documents').fetchone()
    n = holder.execute('SELECT count(*) FROM documents').fetchone()[0]
    grille('rm', '-d', db, os.path.basename(CORPUS[2]))
    wal = os.path.getsize(db + '-wal') if os.path.exists(db + '-wal') else 0
    for f in (db + '-wal', db + '-shm'):
        if os.path.exists(f):
            os.chmod(f, 0o644)
    nobody = [shutil.which('setpriv'), '--reuid=nobody', '--regid=nogroup',
              '--clear-groups']
    out = subprocess.run(nobody + [G, 'list', '-d', db, '-f', 'json'],
                         capture_output=True, cwd=shared)
    holder.close()
    shutil.rmtree(shared, ignore_errors=True)
    if not wal:
        return 'test bug: nothing waits in the -wal'
    if out.returncode != 0:
        return 'list by a reader: %r' % out.stderr[-300:]
    docs = json.loads(out.stdout)
    docs = docs.get('documents', docs) if isinstance(docs, dict) else docs
    if len(docs) != n - 1:
        return 'the reader sees %d documents, %d after the rm' % (
            len(docs), n - 1)
    return None


def t_read_only_wal_without_shm():
    """A project of another user (not root) in a folder anyone may write,
    as /tmp: its changes wait in the -wal and its -shm is gone (its writer
    was closing, or was killed and the -shm removed).  A reader that may
    not write it says so and makes no file there: SQLite would have made
    the -shm as that reader's own, and every later write of the owner
    would have failed ("read-only").  The owner then reads and writes it."""
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        return Skip('needs root and setpriv to act as other users')
    src = tempfile.mkdtemp(prefix='grille-ws-')
    db0 = os.path.join(src, 'p.db')
    shutil.copy(DB, db0)
    holder = sqlite3.connect(db0)  # keeps the -wal from its checkpoint
    n = holder.execute('SELECT count(*) FROM documents').fetchone()[0]
    grille('rm', '-d', db0, os.path.basename(CORPUS[2]))
    shared = tempfile.mkdtemp(prefix='grille-ws-')
    os.chmod(shared, 0o777)
    db = os.path.join(shared, 'p.db')
    shutil.copy(db0, db)
    shutil.copy(db0 + '-wal', db + '-wal')  # and no -shm
    holder.close()
    shutil.rmtree(src, ignore_errors=True)
    for f in (db, db + '-wal'):
        shutil.chown(f, user='daemon', group='daemon')
        os.chmod(f, 0o644)
    as_user = lambda u, g: [shutil.which('setpriv'), '--reuid=' + u,
                            '--regid=' + g, '--clear-groups']
    nobody, daemon = as_user('nobody', 'nogroup'), as_user('daemon', 'daemon')

    def run(who, *a):
        return subprocess.run(who + [G] + list(a), capture_output=True,
                              cwd=shared)
    rd = run(nobody, 'list', '-d', db, '-f', 'json')
    uid = pwd.getpwnam('nobody').pw_uid
    theirs = sorted(f for f in os.listdir(shared)
                    if os.stat(os.path.join(shared, f)).st_uid == uid)
    own = run(daemon, 'list', '-d', db, '-f', 'json')
    wr = run(daemon, 'attr', 'set', '-d', db, os.path.basename(CORPUS[0]),
             'k=v')
    rd2 = run(nobody, 'list', '-d', db, '-f', 'json')
    shutil.rmtree(shared, ignore_errors=True)
    if rd.returncode != 1 or b'-wal' not in rd.stderr or \
            db.encode() not in rd.stderr:
        return 'the reader without the -shm: %d %r' % (rd.returncode,
                                                      rd.stderr[-300:])
    if theirs:
        return 'the reader made %r beside the project' % theirs
    if own.returncode != 0:
        return 'the owner\'s list: %r' % own.stderr[-300:]
    docs = json.loads(own.stdout)
    docs = docs.get('documents', docs) if isinstance(docs, dict) else docs
    if len(docs) != n - 1:
        return 'the owner sees %d documents, %d after the rm' % (len(docs),
                                                                 n - 1)
    if wr.returncode != 0:
        return 'the owner\'s write after the reader: %r' % wr.stderr[-300:]
    if rd2.returncode != 0:
        return 'the reader once the owner read it: %r' % rd2.stderr[-300:]
    return None


for name, fn in [
        ('add: every row right, cooc and compare as from the codings',
         t_add),
        ('attr: the same', t_attr),
        ('recode with an edited codebook: the same', t_recode),
        ('import of hand codings and a new code: the same', t_import_manual),
        ('recode back, with manual codings: the same', t_recode_back),
        ('recode with the same codebook: no coding rewritten', t_recode_same),
        ('rm: the same', t_rm),
        ('add --replace of an edited note: the same', t_replace),
        ('a project of schema 1 is upgraded with its rows', t_upgrade),
        ('a project of schema 4 is upgraded: doc_stats computed again',
         t_upgrade_v4),
        ('a project of schema 3 is upgraded: codings renumbered by segment',
         t_upgrade_v3),
        ('the upgrade keeps other tools\' views, triggers and indexes on '
         'codings',
         t_upgrade_v3_view_trigger),
        ('a project of schema 2 is upgraded by report, its rows right',
         t_upgrade_read),
        ('a read-only project of schema 2 is read as it is, the same report',
         t_read_only_v2),
        ('quotes on a read-only project of schema 2, codings out of their '
         'segments\' order: the same', t_read_only_v2_quotes),
        ('a project in a read-only folder is read, not written',
         t_read_only_folder),
        ('a reader that may not write sees the changes in the -wal',
         t_read_only_pending_wal),
        ('a reader that may not write makes no -shm of its own',
         t_read_only_wal_without_shm)]:
    check(name, fn)
status = plan()
shutil.rmtree(TMP, ignore_errors=True)
sys.exit(status)
