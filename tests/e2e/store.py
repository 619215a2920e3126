#!/usr/bin/env python3
"""End-to-end tests of the project commands on the real binary.

init, add, list, attr, rm and recode on corpus/: the codings in the project
equal those of `grille tag -f json` on the same files, code for code and
offset for offset; adding again changes nothing; a codebook edit and a
recode give what tag gives with the new codebook; manual codings survive
recode; a file that cannot be decoded does not stop the others; kill -9 at
random moments never leaves a half document or a damaged file; two adds at
once both succeed; Ctrl-C rolls back.  Prints TAP.
"""
import csv
import glob
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from taplib import Skip, check, edited_codebook, plan

G = os.environ['GRILLE']
S = os.environ['GRILLE_SOURCE_DIR']
CORPUS = sorted(glob.glob(os.path.join(S, 'corpus', '*')))
TMP = tempfile.mkdtemp(prefix='grille-store-')


def grille(*args, **kw):
    return subprocess.run([G] + list(args), capture_output=True, cwd=TMP,
                          **kw)


def tag_json(paths, codebook=None):
    """{basename: tag json object} for the files."""
    args = ['tag', '-f', 'json'] + (['-c', codebook] if codebook else [])
    out = grille(*(args + list(paths)))
    assert out.returncode == 0, out.stderr.decode()
    docs = {}
    for line in out.stdout.decode().splitlines():
        d = json.loads(line)
        docs[os.path.basename(d['document']['name'])] = d
    return docs


def db_codings(db):
    """{document name: [(segment, code, start, end, term, rule)]}."""
    con = sqlite3.connect(db)
    rows = con.execute(
        'SELECT d.name, g.idx, k.code, c.start, c."end", c.term, c.rule '
        'FROM codings c JOIN segments g ON g.id = c.segment '
        'JOIN documents d ON d.id = g.document JOIN codes k ON k.id = c.code '
        "WHERE c.origin = 'automatic' "
        'ORDER BY d.name, g.idx, c.start, k.position, c."end"').fetchall()
    con.close()
    out = {}
    for name, *rest in rows:
        out.setdefault(name, []).append(tuple(rest))
    return out


def db_segments(db):
    con = sqlite3.connect(db)
    rows = con.execute(
        'SELECT d.name, g.idx, g.start, g."end", g.line FROM segments g '
        'JOIN documents d ON d.id = g.document ORDER BY d.name, g.idx'
    ).fetchall()
    con.close()
    out = {}
    for name, *rest in rows:
        out.setdefault(name, []).append(tuple(rest))
    return out


def expected_codings(docs):
    return {name: [(c['segment'], c['code'], c['start'], c['end'], c['term'],
                    c['rule']) for c in d['codings']]
            for name, d in docs.items() if d['codings']}


def expected_segments(docs):
    return {name: [(s['index'], s['start'], s['end'], s['line'])
                   for s in d['segments']]
            for name, d in docs.items() if d['segments']}


def same(want, got, what):
    if want == got:
        return None
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            w, g = want.get(k) or [], got.get(k) or []
            for i, (a, b) in enumerate(zip(w, g)):
                if a != b:
                    return '%s of %s differ at %d: want %r, got %r' % (
                        what, k, i, a, b)
            return '%s of %s: want %d, got %d' % (what, k, len(w), len(g))
    return '%s differ' % what


def count(db, sql):
    con = sqlite3.connect(db)
    n = con.execute(sql).fetchone()[0]
    con.close()
    return n


def integrity(db):
    """'ok', or what is wrong: the file, or a row whose parent is missing
    (grille does not have SQLite enforce foreign keys: it writes them
    right itself)."""
    con = sqlite3.connect(db)
    r = con.execute('PRAGMA integrity_check').fetchone()[0]
    orphans = con.execute('PRAGMA foreign_key_check').fetchall()
    con.close()
    return r if r != 'ok' or not orphans else 'orphans: %r' % orphans[:5]


DB = os.path.join(TMP, 'p.db')
TAG = {}


def t_init():
    out = grille('init', '-d', DB)
    assert out.returncode == 0, out.stderr.decode()
    mode = os.stat(DB).st_mode & 0o777
    assert mode == 0o600, 'mode %o' % mode
    again = grille('init', '-d', DB)
    assert again.returncode == 1 and b'already exists' in again.stderr, again


def t_add_corpus():
    out = grille('add', '-d', DB, os.path.join(S, 'corpus'))
    assert out.returncode == 0, out.stderr.decode()
    assert b'added 18 documents' in out.stdout, out.stdout
    TAG.update(tag_json(CORPUS))


def t_codings_equal_tag():
    return same(expected_codings(TAG), db_codings(DB), 'codings')


def t_segments_equal_tag():
    return same(expected_segments(TAG), db_segments(DB), 'segments')


def t_list_counts():
    out = grille('list', '-d', DB, '-f', 'json')
    assert out.returncode == 0, out.stderr.decode()
    docs = {d['name']: d for d in json.loads(out.stdout)['documents']}
    assert set(docs) == set(TAG), sorted(set(docs) ^ set(TAG))
    for name, t in TAG.items():
        d = docs[name]
        coded = len({c['segment'] for c in t['codings']})
        got = (d['words'], d['segments'], d['coded_segments'], d['codings'])
        want = (t['document']['words'], len(t['segments']), coded,
                len(t['codings']))
        if got != want:
            return '%s: list says %r, tag %r' % (name, got, want)
        attrs = t['document']['attributes']
        if d['attributes'] != attrs:
            return '%s: attributes %r != %r' % (name, d['attributes'], attrs)
        if set(d['origins'].values()) != {'front matter'}:
            return '%s: origins %r' % (name, d['origins'])


def t_add_again_no_change():
    """The folder added again: its unchanged notes counted, not a line
    each (which hid an edited note's); a note given by its path is said,
    and so is a copy of a note under another name in a folder."""
    before = count(DB, 'SELECT count(*) FROM codings')
    out = grille('add', '-d', DB, os.path.join(S, 'corpus'))
    assert out.returncode == 0, out.stderr.decode()
    assert b'18 already there' in out.stdout, out.stdout
    assert b'already in the project' not in out.stderr, out.stderr
    assert count(DB, 'SELECT count(*) FROM documents') == 18
    assert count(DB, 'SELECT count(*) FROM codings') == before
    one = os.path.join(S, 'corpus', '02-montpellier-dgs.md')
    out = grille('add', '-d', DB, one)
    assert out.returncode == 0 and b"02-montpellier-dgs.md: already in the " \
        b"project as '02-montpellier-dgs.md' (same content)" in out.stderr, \
        out.stderr
    copies = os.path.join(TMP, 'copies')
    os.makedirs(copies)
    shutil.copy(one, os.path.join(copies, 'copie.md'))
    shutil.copy(one, os.path.join(copies, '02-montpellier-dgs.md'))
    out = grille('add', '-d', DB, copies)
    err = out.stderr.decode()
    assert out.returncode == 0 and b'2 already there' in out.stdout and \
        err.count('already in the project') == 1 and \
        "copie.md: already in the project as '02-montpellier-dgs.md'" in err, \
        (out.stdout, err)
    assert count(DB, 'SELECT count(*) FROM documents') == 18


def t_list_formats():
    csv = grille('list', '-d', DB, '-f', 'csv')
    assert csv.returncode == 0
    lines = csv.stdout.decode().split('\r\n')
    assert lines[0].startswith('id,name,path,encoding'), lines[0]
    assert 'collectivite' in lines[0] and len([l for l in lines if l]) == 19
    txt = grille('list', '-d', DB)
    assert b'18 documents' in txt.stdout and b'(front matter)' in txt.stdout


def t_new_project_knows_its_themes():
    """A project just made, with no document, knows its codebook's themes:
    quotes of one says 0 segments (it said 'no code'), the JSON report
    lists them all with zeros, and an unknown code is still an error."""
    db = os.path.join(TMP, 'fresh.db')
    assert grille('init', '-d', db).returncode == 0
    q = grille('quotes', '-d', db, 'sante')
    if q.returncode != 0 or b'0 coded segments in 0 documents' not in q.stdout:
        return 'quotes: %d %r %r' % (q.returncode, q.stdout, q.stderr)
    rep = json.loads(grille('report', '-d', db, '-f', 'json').stdout)
    codes = rep.get('codes') or rep.get('themes')
    if not codes or len(codes) != 18 or any(c['segments'] for c in codes):
        return 'report codes: %r' % (codes and codes[:2])
    bad = grille('quotes', '-d', db, 'santee')
    if bad.returncode != 1 or b"no code 'santee'" not in bad.stderr:
        return 'unknown code: %d %r' % (bad.returncode, bad.stderr)
    # a sub-theme named by its last part: its path is given
    for args in (('quotes', '-d', db, 'protection'),
                 ('report', '-d', db, '--codes', 'elus,protection')):
        bad = grille(*args)
        if bad.returncode != 1 or b"no code 'protection' in the project: " \
                b"a sub-theme is named by its path, 'sante/protection'" \
                not in bad.stderr:
            return '%s protection: %d %r' % (args[0], bad.returncode,
                                             bad.stderr)
    return None


def t_add_same_name_and_path():
    """Two different notes named n.md, added by the same relative path from
    two folders: the second is a failure (status 1, named), not "already
    there", nor taken for the first edited (another file); added by a path
    that tells it apart, it goes in."""
    db = os.path.join(TMP, 'names.db')
    assert grille('init', '-d', db).returncode == 0
    for d, text in (('one', 'Le télétravail.\n'), ('two', 'Les masques.\n')):
        os.makedirs(os.path.join(TMP, d), exist_ok=True)
        with open(os.path.join(TMP, d, 'n.md'), 'w', encoding='utf-8') as f:
            f.write(text)
    first = subprocess.run([G, 'add', '-d', db, 'n.md'], capture_output=True,
                           cwd=os.path.join(TMP, 'one'))
    second = subprocess.run([G, 'add', '-d', db, 'n.md'],
                            capture_output=True, cwd=os.path.join(TMP, 'two'))
    if first.returncode != 0:
        return 'first add: %r' % first.stderr
    err = second.stderr.decode()
    if second.returncode != 1 or "n.md: the name 'n.md' and this path " \
            "are taken by other documents of the project" not in err or \
            'add it by a path that tells it apart' not in err or \
            'already there' in second.stdout.decode():
        return 'second add: %d %r %r' % (second.returncode, second.stdout,
                                         err)
    if count(db, 'SELECT count(*) FROM documents') != 1:
        return 'the failed add changed the project'
    third = subprocess.run([G, 'add', '-d', db, '../two/n.md'],
                           capture_output=True, cwd=os.path.join(TMP, 'two'))
    if third.returncode != 0 or count(
            db, 'SELECT count(*) FROM documents') != 2:
        return 'added by another path: %r' % third.stderr
    return None


def t_add_imported_note():
    """A note imported from a colleague's export (its source: the body
    alone, with LF), then added from the notes' folder: already there (a
    second copy would count the interview twice in every figure), named;
    so is the same note saved with CR LF in another folder, and added from
    its own folder. Another body under that name still goes in, by its
    path; two notes of one body told apart by their front matters are two;
    a note edited since (another value, a front matter added) is refused
    as edited."""
    d = os.path.join(TMP, 'twin')
    for sub in ('n', 'crlf', 'other'):
        os.makedirs(os.path.join(d, sub))
    body = 'La santé des agents.\n\n- télétravail pour 40 agents\n'
    with open(os.path.join(d, 'n', 'a.md'), 'w', encoding='utf-8') as f:
        f.write('---\ntype: commune\n---\n' + body)
    with open(os.path.join(d, 'crlf', 'a.md'), 'wb') as f:
        f.write(('---\r\ntype: commune\r\n---\r\n' + body).replace(
            '\n', '\r\n').replace('\r\r', '\r').encode())
    with open(os.path.join(d, 'other', 'a.md'), 'w', encoding='utf-8') as f:
        f.write('---\ntype: commune\n---\nLes masques.\n')
    src, db = os.path.join(d, 'src.db'), os.path.join(d, 'p.db')
    qdpx = os.path.join(d, 'a.qdpx')
    for args in (('init', '-d', src), ('add', '-d', src, 'n/a.md'),
                 ('export', '-d', src, '-f', 'qdpx', '-o', qdpx),
                 ('init', '-d', db), ('import', '-d', db, qdpx)):
        out = subprocess.run([G] + list(args), capture_output=True, cwd=d)
        if out.returncode != 0:
            return '%s: %r' % (args[0], out.stderr)
    for path in ('n/a.md', 'crlf/a.md'):
        out = subprocess.run([G, 'add', '-d', db, path], capture_output=True,
                             cwd=d)
        if out.returncode != 0 or b'1 already there' not in out.stdout or \
                (b"%s: already in the project as 'a.md' (the same text, but "
                 b"for its front matter or its line ends); nothing added"
                 % path.encode()) not in out.stderr:
            return 'add %s: %d %r %r' % (path, out.returncode, out.stdout,
                                         out.stderr)
        if count(db, 'SELECT count(*) FROM documents') != 1:
            return 'add %s: a second copy' % path
    # from the notes' own folder too (the imported document's path is its
    # name, which the edited file's test would take for this one)
    for args in (['add', '-d', db, 'a.md'], ['add', '-d', db, '.']):
        out = subprocess.run([G] + args, capture_output=True,
                             cwd=os.path.join(d, 'n'))
        if out.returncode != 0 or b'1 already there' not in out.stdout:
            return '%r from n/: %d %r' % (args, out.returncode, out.stderr)
    out = subprocess.run([G, 'add', '-d', db, 'other/a.md'],
                         capture_output=True, cwd=d)
    if out.returncode != 0 or count(
            db, 'SELECT count(*) FROM documents') != 2:
        return 'another body: %d %r' % (out.returncode, out.stderr)
    # the same body with another value in the front matter: another
    # interview (two notes of a template), or the note edited since
    tpl = os.path.join(d, 'tpl')
    for sub, who in (('X', 'Rodez'), ('Y', 'Millau')):
        os.makedirs(os.path.join(tpl, sub))
        with open(os.path.join(tpl, sub, 'e.md'), 'w') as f:
            f.write('---\ncollectivite: %s\n---\nEntretien reporté.\n' % who)
    tdb = os.path.join(tpl, 't.db')
    subprocess.run([G, 'init', '-d', tdb], capture_output=True, check=True)
    out = subprocess.run([G, 'add', '-d', tdb, 'X/e.md', 'Y/e.md'],
                         capture_output=True, cwd=tpl)
    if out.returncode != 0 or count(
            tdb, 'SELECT count(*) FROM documents') != 2:
        return 'a template\'s two notes: %d %r' % (out.returncode, out.stderr)
    with open(os.path.join(d, 'n', 'a.md'), 'w', encoding='utf-8') as f:
        f.write('---\ntype: epci\n---\n' + body)
    out = subprocess.run([G, 'add', '-d', db, 'a.md'], capture_output=True,
                         cwd=os.path.join(d, 'n'))
    if out.returncode != 1 or b'with another text' not in out.stderr:
        return 'another type: %d %r' % (out.returncode, out.stderr)
    # a value set by hand since does not make a CR LF copy another note;
    # the body alone of a note kept with its front matter is that note
    crd = os.path.join(d, 'crlf2')
    for sub in ('a', 'b', 'exp'):
        os.makedirs(os.path.join(crd, sub))
    note = '---\ncollectivite: Brest\n---\nLes masques sont arrivés.\n'
    with open(os.path.join(crd, 'a', 'x.md'), 'w', encoding='utf-8') as f:
        f.write(note)
    with open(os.path.join(crd, 'b', 'x.md'), 'wb') as f:
        f.write(note.replace('\n', '\r\n').encode())
    with open(os.path.join(crd, 'exp', 'x.md'), 'w', encoding='utf-8') as f:
        f.write('Les masques sont arrivés.\n')
    cdb = os.path.join(crd, 'c.db')
    for args in (('init', '-d', cdb), ('add', '-d', cdb, 'a/x.md'),
                 ('attr', 'set', '-d', cdb, 'x.md', 'collectivite=Rennes')):
        subprocess.run([G] + list(args), capture_output=True, cwd=crd,
                       check=True)
    for path in ('b/x.md', 'exp/x.md'):
        out = subprocess.run([G, 'add', '-d', cdb, path], capture_output=True,
                             cwd=crd)
        if out.returncode != 0 or b'1 already there' not in out.stdout:
            return '%s after attr set: %d %r' % (path, out.returncode,
                                                 out.stderr)
    # a plain note added from its file, given a front matter since: edited
    plain = os.path.join(d, 'plain')
    os.makedirs(plain)
    with open(os.path.join(plain, 'p.txt'), 'w', encoding='utf-8') as f:
        f.write(body)
    pdb = os.path.join(plain, 'p.db')
    subprocess.run([G, 'init', '-d', pdb], capture_output=True, check=True)
    subprocess.run([G, 'add', '-d', pdb, 'p.txt'], capture_output=True,
                   cwd=plain, check=True)
    with open(os.path.join(plain, 'p.txt'), 'w', encoding='utf-8') as f:
        f.write('---\ntype: commune\n---\n' + body)
    out = subprocess.run([G, 'add', '-d', pdb, 'p.txt'], capture_output=True,
                         cwd=plain)
    if out.returncode != 1 or b'with another text' not in out.stderr:
        return 'a plain note given a front matter: %d %r' % (out.returncode,
                                                             out.stderr)
    return None


def t_add_edited_file():
    """A note added from a folder, edited, and added again by the same
    path: refused (it would count twice in every figure), the project as
    it was; removed first, the new text goes in. So is a note added from
    the current folder (its name its path), and one stored under its path
    (its name was another's)."""
    db = os.path.join(TMP, 'edited.db')
    folder = os.path.join(TMP, 'edited', 'notes')
    os.makedirs(folder, exist_ok=True)
    note = os.path.join(folder, 'brest.md')
    with open(note, 'w', encoding='utf-8') as f:
        f.write('Le CCAS a distribué des masques.\n')
    cwd = os.path.dirname(folder)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=cwd)
    assert run('init', '-d', db).returncode == 0
    assert run('add', '-d', db, 'notes/brest.md').returncode == 0
    with open(note, 'a', encoding='utf-8') as f:
        f.write('Ajout : la DSI a livré des tablettes.\n')
    again = run('add', '-d', db, 'notes/brest.md')
    err = again.stderr.decode()
    if again.returncode != 1 or "notes/brest.md: the project has a " \
            "document added from this file, as 'brest.md' (#1), with " \
            "another text" not in err or "grille rm 'brest.md'" not in err:
        return 'edited add: %d %r' % (again.returncode, err)
    if count(db, 'SELECT count(*) FROM documents') != 1:
        return 'the refused add changed the project'
    # the same file by a path written another way, or from another folder
    sub = os.path.join(cwd, 'sub')
    os.makedirs(sub, exist_ok=True)
    for where, spelt in ((cwd, './notes/brest.md'), (cwd, 'notes//brest.md'),
                         (cwd, note), (sub, '../notes/brest.md'),
                         (sub, '../notes/../notes/brest.md')):
        other = subprocess.run([G, 'add', '-d', db, spelt],
                               capture_output=True, cwd=where)
        if other.returncode != 1 or b"as 'brest.md' (#1)" not in other.stderr:
            return 'edited add as %s: %d %r' % (spelt, other.returncode,
                                                other.stderr[-300:])
    if count(db, 'SELECT count(*) FROM documents') != 1:
        return 'an edited note by another path was added'
    if run('rm', '-d', db, 'brest.md').returncode != 0:
        return 'rm failed'
    third = run('add', '-d', db, 'notes/brest.md')
    if third.returncode != 0 or count(
            db, "SELECT count(*) FROM documents WHERE name = 'brest.md' "
            "AND text LIKE '%tablettes%'") != 1:
        return 'add after rm: %r' % third.stderr
    for rel, text in (('rodez.md', 'Les élus.\n'),
                      ('autre/brest.md', 'Un autre Brest.\n')):
        path = os.path.join(cwd, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        first = run('add', '-d', db, rel)
        if first.returncode != 0:
            return 'add %s: %r' % (rel, first.stderr)
        with open(path, 'a', encoding='utf-8') as f:
            f.write('Modifié.\n')
        before = count(db, 'SELECT count(*) FROM documents')
        again = run('add', '-d', db, rel)
        if again.returncode != 1 or b'a document added from this file, as ' \
                b"'%s'" % rel.encode() not in again.stderr:
            return 'edited %s: %r' % (rel, again.stderr)
        if count(db, 'SELECT count(*) FROM documents') != before:
            return 'edited %s was added' % rel
    return None


def t_add_replace():
    """add --replace: the edited note replaces its old version, whose
    attributes set by hand are set again on it for the keys its front
    matter does not give (under add -a's); its manual codings are
    dropped, and said; a new version that cannot be added leaves the old
    one; the same text is already there, and a new note is added; a
    document that keeps no file (imported) is not replaced; a note saved
    over with another document's text is refused, both left as they
    were."""
    d = os.path.join(TMP, 'replace')
    os.makedirs(os.path.join(d, 'n'))
    db = os.path.join(d, 'r.db')
    note = os.path.join(d, 'n', 'lodeve.md')
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)

    def write(text):
        with open(note, 'w', encoding='utf-8') as f:
            f.write(text)

    def attrs():
        con = sqlite3.connect(db)
        rows = con.execute("SELECT a.key || '=' || a.value || ' ' || "
                           "a.origin FROM attributes a JOIN documents d ON "
                           "d.id = a.document WHERE d.name = 'lodeve.md'"
                           ).fetchall()
        con.close()
        return sorted(r[0] for r in rows)

    write('---\ntype: commune\nrole: DGS\n---\nLes masques sont arrivés.\n')
    assert run('init', '-d', db).returncode == 0
    assert run('add', '-d', db, 'n/lodeve.md').returncode == 0
    assert run('attr', 'set', '-d', db, 'lodeve.md', 'strate=rural',
               'role=DGA').returncode == 0
    # a manual coding, as an import writes one
    con = sqlite3.connect(db)
    con.execute("UPDATE codings SET origin = 'manual'")
    manual = con.execute("SELECT count(*) FROM codings").fetchone()[0]
    con.commit()
    con.close()
    write('---\ntype: epci\nrole: DGS\n---\nLes masques sont arrivés. '
          'Le télétravail aussi.\n')
    r = run('add', '-d', db, '--replace', '-a', 'vague=2', 'n/lodeve.md')
    out = r.stdout.decode()
    if r.returncode != 0 or 'added 0 documents to %s, 1 replaced\n' % db \
            not in out or 'n/lodeve.md: replaced the old version by the ' \
            'new one (#1), 1 attribute set by hand kept, 1 set by hand now ' \
            'given by its front matter (its value taken); %d manual ' \
            'coding%s of the ' \
            'old version not carried over' % (manual, 's' if manual > 1
                                              else '') not in out:
        return 'replace: %d %r %r' % (r.returncode, out, r.stderr)
    # strate, set by hand, kept; role, set by hand, given by the new
    # front matter: its value; vague, by -a, over both
    want = ['role=DGS front matter', 'strate=rural command line',
            'type=epci front matter', 'vague=2 command line']
    if attrs() != want:
        return 'attributes after the replace: %r' % attrs()
    if count(db, 'SELECT count(*) FROM documents') != 1 or count(
            db, "SELECT count(*) FROM codings WHERE origin = 'manual'"):
        return 'documents or manual codings left'
    # the new version's front matter has an error: the old one stays
    write('---\ntype: [epci\n---\nTout autre texte.\n')
    before = count(db, "SELECT count(*) FROM documents WHERE id = 1")
    r = run('add', '-d', db, '--replace', 'n/lodeve.md')
    if r.returncode != 1 or b'YAML' not in r.stderr or before != 1 or \
            count(db, "SELECT count(*) FROM documents WHERE id = 1") != 1 \
            or attrs() != want:
        return 'a bad new version: %d %r %r' % (r.returncode, r.stderr,
                                                attrs())
    # the same text: already there; a new note: added
    write('---\ntype: epci\nrole: DGS\n---\nLes masques sont arrivés. '
          'Le télétravail aussi.\n')
    with open(os.path.join(d, 'n', 'autre.md'), 'w', encoding='utf-8') as f:
        f.write('Les élus.\n')
    r = run('add', '-d', db, '--replace', 'n/')
    if r.returncode != 0 or b'added 1 document to %s, 1 already there' % \
            db.encode() not in r.stdout:
        return 'same text and a new note: %d %r' % (r.returncode, r.stdout)
    # the note saved over with the other note's text: not "already there"
    # (its old version would stay without a word), nor replaced (two
    # documents of one text); both as they were, with or without --replace
    texts = lambda: count(db, "SELECT group_concat(name || ':' || sha256, "
                              "' ') FROM documents ORDER BY id")
    before = texts()
    write('Les élus.\n')
    for opt in (['--replace'], []):
        r = run('add', '-d', db, *opt, 'n/lodeve.md')
        if r.returncode != 1 or b"n/lodeve.md: the project has a document " \
                b"added from this file, as 'lodeve.md' (#1), with another " \
                b"text, and its text now is that of 'autre.md' (#2), in the " \
                b"project too: nothing added nor replaced" not in r.stderr \
                or texts() != before:
            return 'saved over with another note (%r): %d %r' % (
                opt, r.returncode, r.stderr)
    if attrs() != want:
        return 'attributes after a copy refused: %r' % attrs()
    # an imported document keeps no file: a note of its name is not taken
    # for its new version (it would take its attributes)
    assert run('export', '-d', db, '-o', 'r.qdpx').returncode == 0
    os.makedirs(os.path.join(d, 'b'))
    bdb = os.path.join(d, 'b', 'p.db')
    assert run('init', '-d', bdb).returncode == 0
    assert run('import', '-d', bdb, 'r.qdpx').returncode == 0
    with open(os.path.join(d, 'b', 'lodeve.md'), 'w', encoding='utf-8') as f:
        f.write('---\ntype: ccas\n---\nUn autre entretien.\n')
    r = subprocess.run([G, 'add', '-d', 'p.db', '--replace', 'lodeve.md'],
                       capture_output=True, cwd=os.path.join(d, 'b'))
    if r.returncode != 1 or b'keeps no file, so --replace cannot tell' \
            not in r.stderr:
        return 'an imported document replaced: %d %r' % (r.returncode,
                                                         r.stderr)
    return None


def t_import_one_bad_archive():
    """import of a good archive and a bad one: the project as it was, and
    nothing said of the good one as if it were in."""
    src = os.path.join(TMP, 'import-src.db')
    qdpx = os.path.join(TMP, 'import-ok.qdpx')
    bad = os.path.join(TMP, 'import-bad.qdpx')
    with open(bad, 'w') as f:
        f.write('pas une archive\n')
    assert grille('init', '-d', src).returncode == 0
    assert grille('add', '-d', src, *CORPUS[:3]).returncode == 0
    assert grille('export', '-d', src, '-f', 'qdpx', '-o', qdpx).returncode == 0
    db = os.path.join(TMP, 'import-dst.db')
    assert grille('init', '-d', db).returncode == 0
    before = dump(db)
    out = grille('import', '-d', db, qdpx, bad)
    if out.returncode != 1 or out.stdout or \
            b'is unchanged: the archives before it are not imported either' \
            not in out.stderr:
        return 'import: %d %r %r' % (out.returncode, out.stdout, out.stderr)
    if dump(db) != before:
        return 'the failed import changed the project'
    out = grille('import', '-d', db, qdpx)
    if out.returncode != 0 or b'3 documents added' not in out.stdout:
        return 'import alone: %r %r' % (out.stdout, out.stderr)
    return None


def t_attr_import_name_and_collectivite():
    """A first cell that is a document's name and a collectivite too (a
    note named after its commune) goes by the first column's name,
    collectivite or document, and is refused otherwise: it silently set
    the one document."""
    d = os.path.join(TMP, 'ambig')
    os.makedirs(os.path.join(d, 'n'))
    for name, text in (('M\u00e8ze', 'Le t\u00e9l\u00e9travail\n'),
                       ('a.md', '---\ncollectivite: M\u00e8ze\n---\nLa sant\u00e9\n'),
                       ('b.md', '---\ncollectivite: M\u00e8ze\n---\nLes \u00e9lus\n')):
        with open(os.path.join(d, 'n', name), 'w', encoding='utf-8') as f:
            f.write(text)
    db = os.path.join(d, 'p.db')
    grille('init', '-d', db)
    grille('add', '-d', db, *[os.path.join(d, 'n', x)
                              for x in ('M\u00e8ze', 'a.md', 'b.md')])

    def csv_file(head):
        path = os.path.join(d, head + '.csv')
        with open(path, 'w', encoding='utf-8') as f:
            f.write('%s,strate\nM\u00e8ze,%s\n' % (head, head))
        return path

    before = open(db, 'rb').read()
    out = grille('attr', 'import', '-d', db, csv_file('commune'))
    if out.returncode != 1 or "'M\u00e8ze' is a document's name and a " \
            "collectivite: name the first column" not in out.stderr.decode():
        return 'commune: %d %r' % (out.returncode, out.stderr)
    if open(db, 'rb').read() != before:
        return 'the refused import changed the project'
    for head, want in (('collectivite', 2), ('document', 1)):
        out = grille('attr', 'import', '-d', db, csv_file(head))
        if out.returncode != 0 or ('on %d document' % want) not in \
                out.stdout.decode():
            return '%s: %d %r %r' % (head, out.returncode, out.stdout,
                                      out.stderr)
    got = {x['name']: x['attributes'].get('strate') for x in json.loads(
        grille('list', '-d', db, '-f', 'json').stdout)['documents']}
    if got != {'M\u00e8ze': 'document', 'a.md': 'collectivite',
               'b.md': 'collectivite'}:
        return 'strate %r' % got
    return None


def t_attr_import_counts():
    """attr import: a collectivité's row and a document's row that agree
    are counted once; that disagree are an error naming both lines, and
    nothing changes; attr set with a key twice is a usage error."""
    db = os.path.join(TMP, 'cases.db')
    shutil.copy(DB, db)
    docs = json.loads(grille('list', '-d', db, '-f', 'json').stdout)
    doc = [d for d in docs['documents']
           if d['attributes'].get('collectivite') == 'Montpellier']
    assert doc, 'test bug: no document of Montpellier'
    name, n = doc[0]['name'], len(doc)
    ok = os.path.join(TMP, 'agree.csv')
    with open(ok, 'w', encoding='utf-8') as f:
        f.write('document;strate;taille\nMontpellier;a;grande\n%s;a;\n'
                % name)
    out = grille('attr', 'import', '-d', db, ok)
    want = 'set %d attribute values on %d document' % (2 * n, n)
    if out.returncode != 0 or want not in out.stdout.decode():
        return 'agreeing rows: %r, want %r' % (out.stdout, want)
    bad = os.path.join(TMP, 'disagree.csv')
    with open(bad, 'w', encoding='utf-8') as f:
        f.write('document;strate\nMontpellier;b\n%s;c\n' % name)
    before = count(db, "SELECT count(*) FROM attributes WHERE key = 'strate' "
                       "AND value = 'a'")
    out = grille('attr', 'import', '-d', db, bad)
    err = out.stderr.decode()
    if out.returncode != 1 or "disagree.csv:3: 'strate' of %s is 'c' here " \
            "and 'b' on line 2" % name not in err:
        return 'disagreeing rows: %d %r' % (out.returncode, err)
    if count(db, "SELECT count(*) FROM attributes WHERE key = 'strate' AND "
                 "value = 'a'") != before:
        return 'the failed import changed the project'
    twice = grille('attr', 'set', '-d', db, name, 'k=1', 'k=2')
    if twice.returncode != 2 or b"'k' given twice" not in twice.stderr:
        return 'attr set k twice: %d %r' % (twice.returncode, twice.stderr)
    return None


def t_list_csv_columns():
    """list -f csv: a column per attribute key of any document, sorted;
    each row has its document's values (as list -f json gives them) and
    empty cells for the keys it lacks; text cells quoted and defused."""
    db = os.path.join(TMP, 'columns.db')
    shutil.copy(DB, db)
    ids = [d['id'] for d in json.loads(
        grille('list', '-d', db, '-f', 'json').stdout)['documents']]
    for doc, kv in ((ids[0], ['aaa=premier, "cité"', 'zzz==1+1']),
                    (ids[5], ['Ééé=accent', 'aaa=x\ny']),
                    (ids[-1], ['mmm='])):
        out = grille('attr', 'set', '-d', db, '#%d' % doc, *kv)
        assert out.returncode == 0, out.stderr.decode()
    docs = json.loads(grille('list', '-d', db, '-f', 'json').stdout)
    out = grille('list', '-d', db, '-f', 'csv')
    assert out.returncode == 0, out.stderr.decode()
    rows = list(csv.reader(io.StringIO(out.stdout.decode(), newline='')))
    keys = sorted({k for d in docs['documents'] for k in d['attributes']})
    fixed = ['id', 'name', 'path', 'encoding', 'bytes', 'words', 'segments',
             'coded_segments', 'codings', 'added_at']
    if rows[0] != fixed + keys:
        return 'header %r, want %r' % (rows[0], fixed + keys)
    if len(rows) != len(docs['documents']) + 1:
        return '%d rows for %d documents' % (len(rows) - 1,
                                             len(docs['documents']))
    for row, d in zip(rows[1:], docs['documents']):
        want = [str(d[k]) for k in fixed] + [
            d['attributes'].get(k, '') for k in keys]
        # a value a spreadsheet would run as a formula gets a leading '
        want = ["'" + v if v[:1] in ('=', '+', '-', '@') and i >= len(fixed)
                else v for i, v in enumerate(want)]
        if row != want:
            return 'row of %s: %r, want %r' % (d['name'], row, want)
    if not any(r[fixed.__len__() + keys.index('aaa')] == 'x\ny'
               for r in rows[1:]):
        return 'test bug: no multi-line value in the CSV'
    return None


def t_listing_names_its_documents():
    """attr import of a listing (list -f csv) finds each row's document by
    its name: an id that came back after an rm, or a listing of another
    project of the same notes, must not put a note's values on another."""
    d = os.path.join(TMP, 'listing-ids')
    os.makedirs(d)
    a, b = os.path.join(d, 'a.db'), os.path.join(d, 'b.db')
    assert grille('init', '-d', a).returncode == 0
    assert grille('add', '-d', a, *CORPUS).returncode == 0
    listing = os.path.join(d, 'a.csv')
    with open(listing, 'wb') as fh:
        fh.write(grille('list', '-d', a, '-f', 'csv').stdout)
    # another project, the notes added the other way round: other ids
    assert grille('init', '-d', b).returncode == 0
    assert grille('add', '-d', b, *reversed(CORPUS)).returncode == 0
    before = json.loads(grille('list', '-d', b, '-f', 'json').stdout)
    r = grille('attr', 'import', '-d', b, listing)
    if r.returncode != 0:
        return 'import of a listing of the same notes: %s' % r.stderr.decode()
    after = json.loads(grille('list', '-d', b, '-f', 'json').stdout)
    for x, y in zip(before['documents'], after['documents']):
        if x['attributes'] != y['attributes']:
            return '%s: %r became %r' % (x['name'], x['attributes'],
                                         y['attributes'])
    # the last note removed, another added: it gets the same id again
    last = os.path.basename(CORPUS[-1])
    assert grille('rm', '-d', a, last).returncode == 0
    other = os.path.join(d, 'autre.md')
    with open(CORPUS[1], encoding='utf-8') as fh:
        text = fh.read()
    with open(other, 'w', encoding='utf-8') as fh:
        fh.write(text.replace('Montpellier', 'S\u00e8te'))
    assert grille('add', '-d', a, other).returncode == 0
    before = grille('list', '-d', a, '-f', 'json').stdout
    r = grille('attr', 'import', '-d', a, listing)
    if r.returncode != 1 or ("no document '%s'" % last).encode() \
            not in r.stderr:
        return 'a listing row of a removed note: exit %d, %r' % (
            r.returncode, r.stderr[-300:])
    if grille('list', '-d', a, '-f', 'json').stdout != before:
        return 'a failed import changed the project'
    # names as written: decomposed accents (macOS), spaces around them,
    # the formula guard of a listing
    odd = os.path.join(d, 'odd')
    os.makedirs(odd)
    for i, n in enumerate(('Se\u0301bastien.md', ' lead.md', '=x.md')):
        with open(os.path.join(odd, n), 'w', encoding='utf-8') as fh:
            fh.write('Note %d sur les masques.\n' % i)
    c = os.path.join(d, 'c.db')
    assert grille('init', '-d', c).returncode == 0
    assert grille('add', '-d', c, odd).returncode == 0
    rows = list(csv.reader(io.StringIO(
        grille('list', '-d', c, '-f', 'csv').stdout.decode(), newline='')))
    rows[0].append('strate')
    for r in rows[1:]:
        r.append('2k')
    with open(os.path.join(d, 'c.csv'), 'w', encoding='utf-8',
              newline='') as fh:
        csv.writer(fh).writerows(rows)
    r = grille('attr', 'import', '-d', c, os.path.join(d, 'c.csv'))
    if r.returncode != 0 or b'set 3 attribute values on 3 documents' \
            not in r.stdout:
        return 'a listing of odd names: %r %r' % (r.stdout, r.stderr)
    return None


def t_list_spilled():
    """A listing whose rows pass 8 MB waits in a temporary file of no name
    in $TMPDIR: the same bytes as one kept in memory (no folder to put the
    file in), nothing left in the folder; and a file that cannot grow is a
    clear error, not a short listing."""
    db = os.path.join(TMP, 'spilled.db')
    shutil.copy(DB, db)
    names = [d['name'] for d in json.loads(
        grille('list', '-d', db, '-f', 'json').stdout)['documents']]
    cases = os.path.join(TMP, 'long.csv')
    with open(cases, 'w', encoding='utf-8') as f:
        f.write('document,notes\n')
        for i, n in enumerate(names):
            f.write('%s,%s\n' % (n, ('rangée %d ' % i) * 50000))
    out = grille('attr', 'import', '-d', db, cases)
    assert out.returncode == 0, out.stderr.decode()
    tmpdir = tempfile.mkdtemp(dir=TMP)
    env = dict(os.environ, TMPDIR=tmpdir)
    memory = dict(os.environ, TMPDIR=os.path.join(TMP, 'absent'))
    for fmt in ('text', 'csv'):
        spilled = grille('list', '-d', db, '-f', fmt, env=env)
        kept = grille('list', '-d', db, '-f', fmt, env=memory)
        if spilled.returncode or kept.returncode:
            return '%s: %r %r' % (fmt, spilled.stderr, kept.stderr)
        if len(kept.stdout) < 8 << 20:
            return 'test bug: %s listing of %d bytes' % (fmt,
                                                         len(kept.stdout))
        if spilled.stdout != kept.stdout:
            return '%s: the spilled listing differs' % fmt
        if os.listdir(tmpdir):
            return 'left in TMPDIR: %r' % os.listdir(tmpdir)
    js = json.loads(grille('list', '-d', db, '-f', 'json').stdout)
    if sorted(len(d['attributes']['notes']) for d in js['documents'])[0] < \
            8 * 50000:
        return 'test bug: the long values are not there'
    # files of 4 MB at most (the listing passes 8 MB), stdout not a file
    full = subprocess.run(
        ['/bin/sh', '-c', 'ulimit -f 4096; exec "$0" list -d "$1" >/dev/null',
         G, db], capture_output=True, env=env)
    if full.returncode != 1 or b'temporary file in ' + tmpdir.encode() \
            not in full.stderr or b'TMPDIR' not in full.stderr:
        return 'a temporary file that cannot grow: %d %r' % (
            full.returncode, full.stderr[-300:])
    return None


NEW_CB = os.path.join(TMP, 'edited.yaml')


def t_recode_after_edit():
    with open(os.path.join(S, 'codebooks', 'riposte.yaml'),
              encoding='utf-8') as f:
        yaml = f.read()
    assert '      - télétravail\n' in yaml
    yaml = yaml.replace('      - télétravail\n',
                        '      - télétravail\n      - agents\n', 1)
    with open(NEW_CB, 'w', encoding='utf-8') as f:
        f.write(yaml)
    before = count(DB, 'SELECT count(*) FROM codings')
    dry = grille('recode', '-d', DB, '-c', NEW_CB, '--dry-run')
    assert dry.returncode == 0, dry.stderr.decode()
    assert b'nothing was written' in dry.stdout
    assert count(DB, 'SELECT count(*) FROM codings') == before
    out = grille('recode', '-d', DB, '-c', NEW_CB)
    assert out.returncode == 0, out.stderr.decode()
    line = [l for l in out.stdout.decode().splitlines()
            if l.startswith('teletravail ')][0]
    assert '+' in line.split()[3], line
    return same(expected_codings(tag_json(CORPUS, NEW_CB)), db_codings(DB),
                'codings after recode')


def t_manual_survives_recode():
    con = sqlite3.connect(DB)
    seg = con.execute('SELECT id FROM segments LIMIT 1').fetchone()[0]
    code = con.execute("SELECT id FROM codes WHERE code = 'elus'").fetchone()[0]
    # as another tool writes one: its id says its segment (see
    # docs/project.md), past the automatic ones
    con.execute('INSERT INTO codings (id, segment, code, start, "end", term, '
                "rule, origin, coder) VALUES ((? << 28) + 1000, ?, ?, 0, 1, "
                "'x', 'manual', 'manual', 'tester')", (seg, seg, code))
    con.commit()
    con.close()
    out = grille('recode', '-d', DB)
    assert out.returncode == 0, out.stderr.decode()
    n = count(DB, "SELECT count(*) FROM codings WHERE origin = 'manual'")
    assert n == 1, n


def t_manual_on_renamed_theme():
    """A theme renamed in the codebook: recode says that the codings made
    by hand stay on its old id, and keeps them."""
    db = os.path.join(TMP, 'renamed.db')
    shutil.copyfile(DB, db)
    with open(os.path.join(S, 'codebooks', 'riposte.yaml'),
              encoding='utf-8') as f:
        yaml = f.read()
    assert '\n  elus:\n' in yaml
    renamed = os.path.join(TMP, 'renamed.yaml')
    with open(renamed, 'w', encoding='utf-8') as f:
        f.write(yaml.replace('\n  elus:\n', '\n  elus_locaux:\n'))
    n = count(db, "SELECT count(*) FROM codings c JOIN codes k ON k.id = "
                  "c.code WHERE c.origin = 'manual' AND k.code = 'elus'")
    assert n >= 1, 'test bug: no manual coding on elus'
    out = grille('recode', '-d', db, '-c', renamed)
    assert out.returncode == 0, out.stderr.decode()
    want = ('grille: warning: manual codings stay on 1 code the codebook no '
            'longer has: elus (%d); give the theme its old id back to keep '
            'them with it' % n)
    assert want in out.stderr.decode(), out.stderr.decode()
    assert count(db, "SELECT count(*) FROM codings WHERE origin = "
                     "'manual'") == n
    # recoded again: the codes stay out of the codebook, which this recode
    # did not do; no warning, the codings kept
    out = grille('recode', '-d', db, '-c', renamed)
    assert out.returncode == 0, out.stderr.decode()
    assert b'manual codings stay' not in out.stderr, out.stderr.decode()
    assert count(db, "SELECT count(*) FROM codings WHERE origin = "
                     "'manual'") == n


def t_recode_from_a_refused_codebook():
    """A project whose codebook a newer grille refuses (a term of
    punctuation, say) is set right by recode -c with a corrected one."""
    db = os.path.join(TMP, 'stuck.db')
    shutil.copyfile(DB, db)
    con = sqlite3.connect(db)
    con.execute("UPDATE codebook SET yaml = 'name: t\nthemes:\n  a:\n"
                "    terms: [masques, \"R&D\"]\n'")
    con.commit()
    con.close()
    fixed = os.path.join(TMP, 'fixed.yaml')
    with open(fixed, 'w') as f:
        f.write('name: t\nthemes:\n  a:\n    terms: [masques]\n')
    note = os.path.join(TMP, 'stuck.md')
    with open(note, 'w') as f:
        f.write('Les masques.\n')
    out = grille('add', '-d', db, note)
    assert out.returncode == 1 and b"give it to the project with 'grille " \
        b"recode -c FILE'" in out.stderr, out.stderr.decode()
    out = grille('recode', '-d', db, '-c', fixed)
    assert out.returncode == 0, out.stderr.decode()
    assert count(db, "SELECT count(*) FROM codes WHERE code = 'a' AND "
                     "in_codebook") == 1


def t_attributes():
    out = grille('attr', 'set', '-d', DB, '02-montpellier-dgs.md',
                 'strate=100k+')
    assert out.returncode == 0, out.stderr.decode()
    cases = os.path.join(TMP, 'cases.csv')
    with open(cases, 'w', encoding='utf-8') as f:
        f.write('collectivite;strate\r\nMontpellier;grande ville\r\n')
    out = grille('attr', 'import', '-d', DB, cases)
    assert out.returncode == 0, out.stderr.decode()
    js = json.loads(grille('list', '-d', DB, '-f', 'json').stdout)
    d = {x['name']: x for x in js['documents']}['02-montpellier-dgs.md']
    assert d['attributes']['strate'] == 'grande ville', d['attributes']
    assert d['origins']['strate'] == 'cases.csv', d['origins']
    with open(cases, 'w', encoding='utf-8') as f:
        f.write('document,strate\nnulle-part.md,x\n')
    out = grille('attr', 'import', '-d', DB, cases)
    assert out.returncode == 1 and b"cases.csv:2: no document" in out.stderr


def t_rm():
    out = grille('rm', '-d', DB, '03-gironde-sante-publique.txt', 'nope.md')
    assert out.returncode == 1 and b'nothing was removed' in out.stderr
    assert count(DB, 'SELECT count(*) FROM documents') == 18
    out = grille('rm', '-d', DB, '03-gironde-sante-publique.txt')
    assert out.returncode == 0, out.stderr.decode()
    assert count(DB, 'SELECT count(*) FROM documents') == 17
    assert count(DB, 'SELECT count(*) FROM segments s WHERE NOT EXISTS '
                     '(SELECT 1 FROM documents d WHERE d.id = s.document)') == 0
    assert integrity(DB) == 'ok', integrity(DB)


def dump(db):
    """Every row of the project but the times of the adds."""
    con = sqlite3.connect(db)
    rows = []
    for sql in ['SELECT id, name, path, sha256, encoding, text, body, bytes, '
                'words FROM documents ORDER BY id',
                'SELECT * FROM attributes ORDER BY document, key',
                'SELECT * FROM segments ORDER BY id',
                'SELECT * FROM codes ORDER BY id',
                'SELECT * FROM codings ORDER BY id']:
        rows.append(con.execute(sql).fetchall())
    con.close()
    return rows


def t_jobs_same_project():
    """add -j 1, 2 and 4 write the same rows and say the same things, with
    files that fail, repeat or are empty among the others."""
    d = os.path.join(TMP, 'jobs')
    os.makedirs(d)
    files = []
    for i, f in enumerate(CORPUS):
        files.append(f)
        if i == 3:
            bad = os.path.join(d, 'bad.md')
            with open(bad, 'wb') as o:
                o.write(b'---\ntype: [\n---\ntexte\n')
            files.append(bad)
        if i == 7:
            empty = os.path.join(d, 'empty.md')
            open(empty, 'wb').close()
            files += [empty, CORPUS[0], os.path.join(d, 'missing.md')]
    seen = None
    for j in ('1', '2', '4'):
        db = os.path.join(d, 'j%s.db' % j)
        assert grille('init', '-d', db).returncode == 0
        out = grille('add', '-j', j, '-d', db, *files)
        assert out.returncode == 1, out
        got = (out.stdout.replace(db.encode(), b'DB'), out.stderr,
               dump(db))
        assert integrity(db) == 'ok', integrity(db)
        if seen is None:
            seen = got
            assert b'added 18 documents' in out.stdout, out.stdout
        elif got != seen:
            return '-j %s differs from -j 1: %r' % (
                j, [k for k in range(3) if got[k] != seen[k]])


def recode_codebook():
    """The bundled codebook with a new sub-theme under sante and without
    its last theme."""
    return edited_codebook(S, os.path.join(TMP, 'recode-jobs.yaml'),
                           ['soins', 'écoute', 'isolement'], drop_last=True)


def t_recode_jobs_same():
    """recode -j 1, 2 and 4 write the same rows and print the same
    changes."""
    cb = recode_codebook()
    src = os.path.join(TMP, 'jobs', 'j1.db')
    seen = None
    for j in ('1', '2', '4'):
        db = os.path.join(TMP, 'recode-j%s.db' % j)
        shutil.copy(src, db)
        out = grille('recode', '-j', j, '-d', db, '-c', cb)
        assert out.returncode == 0, out.stderr.decode()
        con = sqlite3.connect(db)
        stats = con.execute('SELECT * FROM doc_stats ORDER BY document'
                            ).fetchall()
        con.close()
        got = (out.stdout.replace(db.encode(), b'DB'), out.stderr,
               dump(db), stats)
        assert integrity(db) == 'ok', integrity(db)
        if seen is None:
            seen = got
            assert b'sante/mentale' in out.stdout, out.stdout
            assert b'formation' in out.stdout, out.stdout
        elif got != seen:
            return '-j %s differs from -j 1: %r' % (
                j, [k for k in range(4) if got[k] != seen[k]])


def t_recode_fails_unchanged():
    """A regex that stops on one note fails the recode, with threads too:
    the error names the rule and the project is as it was."""
    db = os.path.join(TMP, 'recode-fail.db')
    note = os.path.join(TMP, 'letters.md')
    with open(note, 'w') as f:
        f.write('Le télétravail.\n\n' + 'a' * 30000 + '!b\n\nfin.\n')
    cb = os.path.join(TMP, 'catastrophic.yaml')
    with open(cb, 'w') as f:
        f.write("themes:\n  lettres:\n    label: Lettres\n"
                "    regex: ['(a+)+$']\n")
    assert grille('init', '-d', db).returncode == 0
    assert grille('add', '-d', db, *(CORPUS + [note])).returncode == 0
    before = dump(db)
    for j in ('1', '2'):
        out = grille('recode', '-j', j, '-d', db, '-c', cb, timeout=60)
        assert out.returncode == 1, (j, out)
        assert b"regex rule '(a+)+$' of theme 'lettres'" in out.stderr, \
            out.stderr
        assert b'is unchanged' in out.stderr, out.stderr
        assert dump(db) == before, '-j %s changed the project' % j


def t_empty_folder():
    """A folder with no note: added 0, and a warning names it."""
    d = os.path.join(TMP, 'nothing-here')
    os.makedirs(os.path.join(d, 'sub'))
    with open(os.path.join(d, 'sub', 'notes.pdf'), 'wb') as f:
        f.write(b'%PDF-1.4')
    db = os.path.join(TMP, 'empty-folder.db')
    assert grille('init', '-d', db).returncode == 0
    out = grille('add', '-d', db, d)
    assert out.returncode == 0, out.stderr.decode()
    assert b'added 0 documents' in out.stdout, out.stdout
    assert (b'%s: no .txt or .md file in this folder' % d.encode()
            in out.stderr), out.stderr


def t_rm_named_twice():
    """A document named twice (by name and by #id) is removed once."""
    db = os.path.join(TMP, 'twice.db')
    assert grille('init', '-d', db).returncode == 0
    assert grille('add', '-d', db, CORPUS[0], CORPUS[1]).returncode == 0
    name = os.path.basename(CORPUS[0])
    con = sqlite3.connect(db)
    doc = con.execute('SELECT id FROM documents WHERE name = ?',
                      (name,)).fetchone()[0]
    con.close()
    out = grille('rm', '-d', db, name, '#%d' % doc, name)
    assert out.returncode == 0, out.stderr.decode()
    assert b'removed 1 document from' in out.stdout, out.stdout
    assert count(db, 'SELECT count(*) FROM documents') == 1
    assert integrity(db) == 'ok', integrity(db)


def t_same_file_other_names():
    """The file a document was read from, whatever names it: a link under
    another name to an edited note is refused; a note stored under its
    path (its name another's) stays its file after that name is gone;
    './n.md' names another file here, not the document named n.md; an
    import keeps no file, though one of the same name is here."""
    d = os.path.join(TMP, 'samefile')
    for sub in ('notes', 'a', 'b'):
        os.makedirs(os.path.join(d, sub))
    db = 'p.db'
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)
    w = lambda rel, text, mode='w': open(os.path.join(d, rel), mode,
                                         encoding='utf-8').write(text)
    w('notes/brest.md', 'Le CCAS a distribué des masques.\n')
    assert run('init', '-d', db).returncode == 0
    assert run('add', '-d', db, 'notes/brest.md').returncode == 0
    w('notes/brest.md', 'Ajout : des tablettes.\n', 'a')
    os.symlink('notes/brest.md', os.path.join(d, 'lien.md'))
    r = run('add', '-d', db, 'lien.md')
    if r.returncode != 1 or b"added from this file, as 'brest.md'" \
            not in r.stderr:
        return 'a link to an edited note: %d %r' % (r.returncode, r.stderr)
    w('a/n.md', 'Premier.\n')
    w('b/n.md', 'Second.\n')
    assert run('add', '-d', db, 'a/n.md', 'b/n.md').returncode == 0
    assert run('rm', '-d', db, 'n.md').returncode == 0
    w('b/n.md', 'Modifié.\n', 'a')
    r = run('add', '-d', db, 'b/n.md')
    if r.returncode != 1 or b"as 'b/n.md'" not in r.stderr:
        return 'an edited note stored by its path: %d %r' % (r.returncode,
                                                             r.stderr)
    # rm ./n.md: the file here is not the document named n.md
    w('a/autre.md', 'Une note du projet.\n')
    assert run('add', '-d', db, 'a/autre.md').returncode == 0
    w('autre.md', 'Une note hors projet.\n')
    n = count(os.path.join(d, db), 'SELECT count(*) FROM documents')
    r = run('rm', '-d', db, './autre.md')
    if r.returncode != 1 or count(os.path.join(d, db),
                                  'SELECT count(*) FROM documents') != n:
        return 'rm ./autre.md removed the document autre.md: %r' % r.stdout
    # an import: texts from an archive, no file of the disk
    assert run('export', '-d', db, '-f', 'qdpx', '-o', 'x.qdpx'
               ).returncode == 0
    assert run('init', '-d', 'q.db').returncode == 0
    r = run('import', '-d', 'q.db', 'x.qdpx')
    assert r.returncode == 0, r.stderr
    if count(os.path.join(d, 'q.db'),
             'SELECT count(*) FROM documents WHERE file IS NOT NULL'):
        return 'an import kept files of the current folder'
    return None


def t_rm_path_written_otherwise():
    """A document is found by the path it was added from however that
    path is written: ./a, a//b, a/../a/b, or absolute."""
    db = os.path.join(TMP, 'paths.db')
    d = os.path.join(TMP, 'pnotes')
    os.makedirs(os.path.join(d, 'sub'))
    for i in range(5):
        with open(os.path.join(d, 'sub', 'n%d.md' % i), 'w') as f:
            f.write('Le télétravail des agents, note %d.\n' % i)
    assert grille('init', '-d', db).returncode == 0
    out = grille('add', '-d', db, 'pnotes/sub')
    assert out.returncode == 0, out.stderr.decode()
    for i, way in enumerate(['./pnotes/sub/n0.md', 'pnotes//sub/./n1.md',
                             'pnotes/sub/../sub/n2.md',
                             os.path.join(d, 'sub', 'n3.md')]):
        out = grille('rm', '-d', db, way)
        assert out.returncode == 0, (way, out.stderr.decode())
        left = count(db, "SELECT count(*) FROM documents WHERE name = "
                     "'n%d.md'" % i)
        assert left == 0, (way, left)
    out = grille('rm', '-d', db, 'pnotes/sub/../n4.md')
    assert out.returncode == 1, out.stdout
    assert b"no document 'pnotes/sub/../n4.md'" in out.stderr, out.stderr
    assert count(db, 'SELECT count(*) FROM documents') == 1
    # from another folder: the file is found by its text
    out = subprocess.run([G, 'rm', '-d', db, './n4.md'], capture_output=True,
                         cwd=os.path.join(d, 'sub'))
    assert out.returncode == 0, out.stderr.decode()
    assert count(db, 'SELECT count(*) FROM documents') == 0
    # a file that is gone: its path as add stored it, written otherwise
    with open(os.path.join(d, 'gone.md'), 'w') as f:
        f.write('Une note bientôt effacée sur la santé.\n')
    assert grille('add', '-d', db, 'pnotes/gone.md').returncode == 0
    os.unlink(os.path.join(d, 'gone.md'))
    out = grille('rm', '-d', db, './pnotes//gone.md')
    assert out.returncode == 0, out.stderr.decode()
    # a name that is also, here, the file of another document: refused
    os.makedirs(os.path.join(d, 'other'))
    for where, text in (('sub', 'Les élus et le budget.'),
                        ('other', 'Le télétravail des agents.')):
        with open(os.path.join(d, where, 'same.md'), 'w') as f:
            f.write(text + '\n')
    assert grille('add', '-d', db, 'pnotes/sub/same.md',
                  'pnotes/other/same.md').returncode == 0
    out = subprocess.run([G, 'rm', '-d', db, 'same.md'], capture_output=True,
                         cwd=os.path.join(d, 'other'))
    assert out.returncode == 1, out.stdout
    assert b'say which with #ID' in out.stderr, out.stderr
    assert count(db, 'SELECT count(*) FROM documents') == 2


def t_foreign_keys():
    """After adds, recodes, manual codings, attributes and rm, every row's
    parent is there."""
    assert integrity(DB) == 'ok', integrity(DB)


def t_bad_file_others_go_in():
    d = os.path.join(TMP, 'mixed')
    os.mkdir(d)
    shutil.copy(CORPUS[0], d)
    shutil.copy(CORPUS[1], d)
    with open(os.path.join(d, 'scan.txt'), 'wb') as f:
        f.write(b'PDF\x00\x01binary')
    with open(os.path.join(d, 'photo.jpg'), 'wb') as f:
        f.write(b'\xff\xd8')
    db = os.path.join(TMP, 'mixed.db')
    grille('init', '-d', db)
    out = grille('add', '-d', db, d)
    err = out.stderr.decode()
    assert out.returncode == 1, out
    assert 'scan.txt: NUL byte' in err and 'could not be added' in err, err
    assert 'skipped' in err and 'photo.jpg' in err, err
    assert count(db, 'SELECT count(*) FROM documents') == 2


def t_project_errors():
    txt = os.path.join(TMP, 'notes.txt')
    with open(txt, 'w') as f:
        f.write('pas une base\n' * 100)
    out = grille('list', '-d', txt)
    assert out.returncode == 1 and b'not a grille project' in out.stderr, out
    out = grille('list', '-d', os.path.join(TMP, 'absent.db'))
    assert out.returncode == 1 and b"grille init" in out.stderr, out
    env = dict(os.environ, GRILLE_DB=DB)
    out = subprocess.run([G, 'list'], capture_output=True, env=env)
    assert out.returncode == 0 and b'17 documents' in out.stdout, out


def make_files(n, where):
    os.makedirs(where)
    for i in range(n):
        src = CORPUS[i % len(CORPUS)]
        with open(src, 'rb') as f:
            data = f.read()
        name = 'n%04d%s' % (i, os.path.splitext(src)[1])
        with open(os.path.join(where, name), 'wb') as f:
            f.write(data + ('\nRelu le %d.\n' % i).encode('ascii'))


def whole_documents(db, expected):
    """Every stored document has all its segments and codings."""
    con = sqlite3.connect(db)
    rows = con.execute(
        'SELECT d.name, (SELECT count(*) FROM segments g WHERE g.document = '
        'd.id), (SELECT count(*) FROM codings c JOIN segments g ON g.id = '
        'c.segment WHERE g.document = d.id), (SELECT count(*) FROM '
        'attributes a WHERE a.document = d.id) FROM documents d').fetchall()
    con.close()
    for name, segs, cods, attrs in rows:
        want = expected[name]
        got = (segs, cods, attrs)
        if got != want:
            return '%s is partial: %r, want %r' % (name, got, want)
    return None


def t_kill_9():
    files = os.path.join(TMP, 'many')
    make_files(500, files)
    exp = {n: (len(d['segments']), len(d['codings']),
               len(d['document']['attributes']))
           for n, d in tag_json(sorted(glob.glob(files + '/*'))).items()}
    db = os.path.join(TMP, 'kill.db')

    def fresh():
        for suffix in ('', '-wal', '-shm', '-journal'):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        assert grille('init', '-d', db).returncode == 0

    # how long a whole add takes here: the kills fall within it
    fresh()
    t0 = time.monotonic()
    assert grille('add', '-d', db, files).returncode == 0
    span = time.monotonic() - t0
    rng = random.Random(20201111)
    killed = journals = 0
    for _ in range(20):
        if count(db, 'SELECT count(*) FROM documents') == 500:
            fresh()  # a run that finished leaves nothing to interrupt
        p = subprocess.Popen([G, 'add', '-d', db, files],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.9 * span))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        p.wait()
        # a first import goes under a rollback journal (store.c,
        # bulk_begin): a command that only reads works at once after a
        # kill, and sees all the documents or none
        journals += os.path.exists(db + '-journal')
        ls = grille('list', '-d', db)
        if ls.returncode != 0:
            return 'list after a kill: %s' % ls.stderr.decode()
        if not re.match(rb'\S+: (0|500) documents', ls.stdout):
            return 'list after a kill: %r' % ls.stdout[:200]
        r = integrity(db)
        if r != 'ok':
            return 'integrity_check: %s' % r
        why = whole_documents(db, exp)
        if why:
            return why
        n = count(db, 'SELECT count(*) FROM documents')
        if n not in (0, 500):
            return '%d documents after a kill: not all or nothing' % n
    out = grille('add', '-d', db, files)
    assert out.returncode == 0, out.stderr.decode()
    assert count(db, 'SELECT count(*) FROM documents') == 500
    assert killed >= 5, 'only %d of 20 runs were killed in time' % killed
    assert journals >= 1, 'no kill fell within a first import'
    return whole_documents(db, exp)


def t_foreign_journal():
    """A copy of a project put back beside the hot journal of a first
    import killed since (or another project's journal): no command rolls
    the copy back with it; each says so, and nothing changes."""
    files = os.path.join(TMP, 'journal-notes')
    make_files(600, files)
    keep = os.path.join(TMP, 'keep.db')
    assert grille('init', '-d', keep).returncode == 0
    assert grille('add', '-d', keep, *CORPUS).returncode == 0
    db = os.path.join(TMP, 'hot.db')
    for _ in range(40):
        for suffix in ('', '-wal', '-shm', '-journal'):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        assert grille('init', '-d', db).returncode == 0
        size0 = os.path.getsize(db)
        p = subprocess.Popen([G, 'add', '-d', db, files],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        while p.poll() is None and not (
                os.path.exists(db + '-journal') and
                os.path.getsize(db) > size0):
            time.sleep(0.002)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        p.wait()
        if os.path.exists(db + '-journal') and \
                os.path.getsize(db + '-journal') > 0:
            break
    else:
        return Skip('no kill fell within a first import')
    journal = open(db + '-journal', 'rb').read()
    shutil.copyfile(keep, db)
    before = open(db, 'rb').read()
    for cmd in (['list'], ['report'], ['attr', 'set', '-d', db,
                                       os.path.basename(CORPUS[0]), 'k=v']):
        if cmd[0] != 'attr':
            cmd = cmd + ['-d', db]
        r = grille(*cmd, text=True)
        if r.returncode != 1 or "is not this project's" not in r.stderr:
            return '%s: exit %d, %s' % (cmd[0], r.returncode, r.stderr[-300:])
    if open(db, 'rb').read() != before or \
            open(db + '-journal', 'rb').read() != journal:
        return 'the project or its journal changed'
    os.rename(db + '-journal', db + '-journal.aside')
    r = grille('list', '-d', db, text=True)
    if r.returncode != 0 or not r.stdout.startswith(
            '%s: %d documents' % (db, len(CORPUS))):
        return 'list once the journal is away: %s %s' % (r.stdout[:100],
                                                        r.stderr[-200:])
    return None


def t_kill_9_init():
    # init makes the project under a name of its own and gives it its
    # name once whole: a kill leaves no project, or a whole one, never a
    # half-made file that a new init refuses and the others misread
    d = os.path.join(TMP, 'init-kill')
    os.makedirs(d)
    db = os.path.join(d, 'p.db')
    t0 = time.monotonic()
    assert grille('init', '-d', db).returncode == 0
    span = time.monotonic() - t0
    ncodes = count(db, 'SELECT count(*) FROM codes')
    rng = random.Random(20201130)
    killed = 0
    for _ in range(20):
        for f in glob.glob(db + '*'):
            os.unlink(f)
        p = subprocess.Popen([G, 'init', '-d', db],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, span))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        p.wait()
        if os.path.exists(db):
            ls = grille('list', '-d', db, '-f', 'json')
            if ls.returncode != 0:
                return 'list after a killed init: %s' % ls.stderr.decode()
            r = integrity(db)
            if r != 'ok':
                return 'integrity_check after a killed init: %s' % r
            if count(db, 'SELECT count(*) FROM codes') != ncodes:
                return 'a project without its codes after a killed init'
        else:
            out = grille('init', '-d', db)
            if out.returncode != 0:
                return 'init after a killed init: %s' % out.stderr.decode()
    if killed == 0:
        raise Skip('no init was killed before it ended')
    return None


def t_concurrent_adds():
    many = sorted(glob.glob(os.path.join(TMP, 'many', '*')))
    sets = []
    for k in range(4):
        d = os.path.join(TMP, 'set%d' % k)
        os.makedirs(d)
        for f in many[k::4][:60]:
            shutil.copy(f, d)
        sets.append(d)
    db = os.path.join(TMP, 'conc.db')
    assert grille('init', '-d', db).returncode == 0
    ps = [subprocess.Popen([G, 'add', '-d', db, d], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE) for d in sets]
    outs = [p.communicate() for p in ps]
    for p, (o, e) in zip(ps, outs):
        assert p.returncode == 0, e.decode()
    assert count(db, 'SELECT count(*) FROM documents') == 240
    assert integrity(db) == 'ok'


def t_report_during_add():
    """A report taken while an add runs sees the project as it was before
    the add, or (if the add committed meanwhile) as it is after: never a
    mix."""
    db = os.path.join(TMP, 'snap.db')
    assert grille('init', '-d', db).returncode == 0
    assert grille('add', '-d', db, os.path.join(S, 'corpus')).returncode == 0
    before = grille('report', '-d', db, '-f', 'json')
    assert before.returncode == 0, before.stderr.decode()
    before = json.loads(before.stdout)
    big = os.path.join(TMP, 'snapfiles')
    make_files(2000, big)
    p = subprocess.Popen([G, 'add', '-d', db, big], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    seen = []
    while p.poll() is None:
        r = grille('report', '-d', db, '-f', 'json')
        assert r.returncode == 0, r.stderr.decode()
        seen.append(json.loads(r.stdout))
    p.communicate()
    assert p.returncode == 0
    after = json.loads(grille('report', '-d', db, '-f', 'json').stdout)
    assert after['documents'] == 18 + 2000, after['documents']
    during = [x for x in seen if x == before]
    assert during, 'no report ran during the add'
    mixed = [x for x in seen if x != before and x != after]
    if mixed:
        return '%d report(s) saw a mix of before and after (%d documents)' % (
            len(mixed), mixed[0]['documents'])


def whole_in_wal(db, want):
    """None when the project is in WAL mode with `want` documents after an
    import, else what is wrong."""
    con = sqlite3.connect(db)
    mode = con.execute('PRAGMA journal_mode').fetchone()[0]
    n = con.execute('SELECT count(*) FROM documents').fetchone()[0]
    con.close()
    if mode != 'wal' or n != want:
        return 'after the import: %s mode, %d documents' % (mode, n)
    return None


def t_reader_during_first_import():
    """A user who may read the project but not write it (nor its folder)
    runs commands while the owner's first import runs under a rollback
    journal: each waits for it or reads the empty project, never fails;
    after the import the project is in WAL mode and whole."""
    setpriv = shutil.which('setpriv')
    if os.geteuid() != 0 or not setpriv:
        return Skip('needs root and setpriv to read as another user')
    files = os.path.join(TMP, 'firsts')
    make_files(800, files)
    shared = tempfile.mkdtemp(prefix='grille-first-')
    os.chmod(shared, 0o755)
    db = os.path.join(shared, 'p.db')
    nobody = [setpriv, '--reuid=nobody', '--regid=nogroup', '--clear-groups',
              G, 'list', '-d', db]
    runs = failed = 0
    try:
        for _ in range(3):
            for f in glob.glob(db + '*'):
                os.unlink(f)
            assert grille('init', '-d', db).returncode == 0
            os.chmod(db, 0o644)
            p = subprocess.Popen([G, 'add', '-d', db, files],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
            while p.poll() is None:
                r = subprocess.run(nobody, capture_output=True, cwd=shared)
                runs += 1
                if r.returncode != 0:
                    failed += 1
                    why = r.stderr.decode()[-200:]
            assert p.wait() == 0, p.stderr.read().decode()[-300:]
            why_not = whole_in_wal(db, 800)
            if why_not:
                return why_not
            if integrity(db) != 'ok':
                return 'integrity_check: %s' % integrity(db)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    if failed:
        return '%d of %d reads failed during a first import: %s' % (
            failed, runs, why)
    if runs < 3:
        return 'only %d reads ran during the imports' % runs
    return None


def t_through_a_link():
    """A project named through a symbolic link: its -wal is the target's
    (SQLite keeps it beside the file), so a reader that may not write
    sees the changes waiting in it, and -o of that -wal by the link's
    name is refused."""
    setpriv = shutil.which('setpriv')
    if os.geteuid() != 0 or not setpriv:
        return Skip('needs root and setpriv to read as another user')
    shared = tempfile.mkdtemp(prefix='grille-link-')
    try:
        os.chmod(shared, 0o755)
        real = os.path.join(shared, 'real')
        os.mkdir(real)
        os.chmod(real, 0o755)
        db = os.path.join(real, 'p.db')
        link = os.path.join(shared, 'link.db')
        os.symlink('real/p.db', link)
        assert grille('init', '-d', db).returncode == 0
        assert grille('add', '-d', db, *CORPUS).returncode == 0
        files = os.path.join(shared, 'five')
        make_files(5, files)
        # a reader holds its snapshot: the add's commit stays in the -wal
        holder = subprocess.Popen(
            [sys.executable, '-c',
             'import sqlite3, sys, time\n'
             'c = sqlite3.connect(sys.argv[1], isolation_level=None)\n'
             'c.execute("BEGIN")\n'
             'c.execute("SELECT 1 FROM documents").fetchone()\n'
             'print("held", flush=True)\n'
             'time.sleep(60)\n', db], stdout=subprocess.PIPE)
        assert holder.stdout.readline().strip() == b'held'
        r = grille('add', '-d', db, files)
        holder.kill()
        holder.wait()
        if r.returncode != 0:
            return 'add: %s' % r.stderr
        if not os.path.getsize(db + '-wal'):
            return 'the add left no -wal to read'
        for f in glob.glob(db + '*'):
            os.chmod(f, 0o644)
        want = len(CORPUS) + 5
        for name in (db, link):
            r = subprocess.run([setpriv, '--reuid=nobody', '--regid=nogroup',
                                '--clear-groups', G, 'list', '-d', name,
                                '-f', 'csv'], capture_output=True, text=True,
                               cwd=shared)
            rows = len(r.stdout.splitlines()) - 1
            if r.returncode != 0 or rows != want:
                return 'list -d %s as another user: exit %d, %d documents ' \
                    '(want %d): %s' % (name, r.returncode, rows, want,
                                       r.stderr[-200:])
        r = grille('report', '-d', link, '-o', db + '-wal', text=True)
        if r.returncode != 1 or 'is the project' not in r.stderr:
            return 'report -o the -wal through the link: exit %d, %s' % (
                r.returncode, r.stderr[-200:])
        if count(db, 'SELECT count(*) FROM documents') != want:
            return 'documents lost'
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    return None


def t_first_import_back_to_wal():
    """A first import runs under a rollback journal and puts WAL back as it
    ends, though readers hold the project at that moment: it waits for
    them.  A shim (slow_wal.c, LD_PRELOAD) makes grille pause 60 ms just
    before, as a process the system leaves waiting would; without the
    wait, the project was left under a rollback journal."""
    shim = os.environ.get('GRILLE_SLOW_WAL')
    if not shim or not os.path.exists(shim):
        return Skip('the shim is built without the sanitizers only')
    files = os.path.join(TMP, 'back-to-wal')
    make_files(800, files)
    db = os.path.join(TMP, 'back-to-wal.db')
    mark = os.path.join(TMP, 'back-to-wal.slowed')
    if os.path.exists(mark):
        os.unlink(mark)
    env = dict(os.environ, LD_PRELOAD=shim, SLOW_WAL_MARK=mark)
    # the program that links the shared library, whose SQLite the shim
    # replaces (grille itself carries its own)
    shared = os.environ.get('GRILLE_SHARED', G)
    reads = 0
    # three imports that each end in WAL mode; on a machine so loaded
    # that a reader's 20 ms read holds the project past the two seconds
    # the import waits, an import may end under its journal: it is run
    # again, up to six in all (without the wait, each one ends so)
    passed = tries = 0
    failed = None
    while passed < 3 and tries < 6:
        tries += 1
        for f in glob.glob(db + '*'):
            os.unlink(f)
        assert grille('init', '-d', db).returncode == 0
        p = subprocess.Popen([shared, 'add', '-d', db, files], env=env,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        # the readers start once the import runs under its journal (before,
        # they would keep it in WAL mode)
        while p.poll() is None and not os.path.exists(db + '-journal'):
            time.sleep(0.001)
        done = []

        def hold():
            n = 0
            while p.poll() is None:
                try:
                    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True,
                                          timeout=30)
                    con.execute('BEGIN')
                    con.execute('SELECT count(*) FROM documents').fetchone()
                    time.sleep(0.02)
                    con.execute('COMMIT')
                    con.close()
                    n += 1
                except sqlite3.Error:
                    time.sleep(0.001)
            done.append(n)
        th = [threading.Thread(target=hold) for _ in range(2)]
        for t in th:
            t.start()
        assert p.wait() == 0, p.stderr.read().decode()[-300:]
        for t in th:
            t.join()
        reads += sum(done)
        why_not = whole_in_wal(db, 800)
        passed += why_not is None
        failed = why_not or failed
    if not os.path.exists(mark):
        return 'the shim never slowed the import (is SQLite in %s?)' % shared
    if passed < 3:
        return '%s (%d imports of %d)' % (failed, tries - passed, tries)
    if reads < 3:
        return 'only %d reads ran during the imports' % reads
    return None


def t_ctrl_c():
    big = os.path.join(TMP, 'big')
    make_files(3000, big)
    # interrupt a third of the way through: the time of a whole add,
    # measured here, so that a fast machine is caught mid-add too
    whole = os.path.join(TMP, 'int-whole.db')
    assert grille('init', '-d', whole).returncode == 0
    t = time.monotonic()
    assert grille('add', '-d', whole, big).returncode == 0
    took = time.monotonic() - t
    db = os.path.join(TMP, 'int.db')
    assert grille('init', '-d', db).returncode == 0
    p = subprocess.Popen([G, 'add', '-d', db, big], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    time.sleep(took / 3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate()
    assert p.returncode == 130, (p.returncode, err.decode()[-300:])
    assert b'interrupted: nothing was added' in err, err[-300:]
    assert count(db, 'SELECT count(*) FROM documents') == 0
    assert integrity(db) == 'ok'


def t_ctrl_c_waiting():
    """Ctrl-C while add, recode, rm or attr waits for a project another
    connection is writing: each stops at once, says so (exit 130), and the
    project is as it was (rm and attr caught no signal: they died without
    a word).  The signal is caught before the transaction begins (it
    used to kill the program, with no word, in the moment between)."""
    db = os.path.join(TMP, 'waiting.db')
    assert grille('init', '-d', db).returncode == 0
    assert grille('add', '-d', db, CORPUS[0]).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute('BEGIN IMMEDIATE')
    try:
        unchanged = b'interrupted: ' + db.encode() + b' is unchanged'
        for args, said in ((['add', '-d', db, CORPUS[1]],
                            b'interrupted: nothing was added'),
                           (['recode', '-d', db], unchanged),
                           (['rm', '-d', db, '#1'], unchanged),
                           (['attr', 'set', '-d', db, '#1', 'x=1'],
                            unchanged)):
            p = subprocess.Popen([G] + args, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            time.sleep(0.4)
            if p.poll() is not None:
                return '%s did not wait: %r' % (args[0], p.stderr.read())
            t = time.monotonic()
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=30)
            took = time.monotonic() - t
            if p.returncode != 130 or said not in err or took > 2:
                return '%s: %d after %.2f s: %r' % (args[0], p.returncode,
                                                    took, err[-300:])
    finally:
        holder.execute('ROLLBACK')
        holder.close()
    if count(db, 'SELECT count(*) FROM documents') != 1:
        return 'the project changed'
    return None


def t_wait_said_on_a_terminal():
    """A write that waits a second for another connection's lock says so
    on a terminal (it looked like a hang), once, then goes on; with
    stderr not a terminal it says nothing."""
    import pty
    db = os.path.join(TMP, 'waitsaid.db')
    assert grille('init', '-d', db).returncode == 0
    for tty in (True, False):
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute('BEGIN IMMEDIATE')
        note = CORPUS[2 if tty else 3]
        if tty:
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(G, [G, 'add', '-d', db, note])
        else:
            p = subprocess.Popen([G, 'add', '-d', db, note],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        time.sleep(1.6)
        holder.execute('ROLLBACK')
        holder.close()
        if tty:
            out = b''
            while True:
                try:
                    got = os.read(fd, 4096)
                except OSError:
                    break
                if not got:
                    break
                out += got
            _, status = os.waitpid(pid, 0)
            rc = os.waitstatus_to_exitcode(status)
            want = ('grille: %s is in use by another command: waiting for it '
                    '(up to 10 minutes; Ctrl-C stops)' % db).encode()
            if rc != 0 or out.count(want) != 1 or b'added 1 document' \
                    not in out:
                return 'on a terminal: %d %r' % (rc, out[-400:])
        else:
            out, err = p.communicate(timeout=30)
            if p.returncode != 0 or err:
                return 'not a terminal: %d %r' % (p.returncode, err)
    return None


def interrupt_at(args, reset, part, twice=False):
    """Runs grille with args twice, each after reset(): whole and timed,
    then interrupted `part` of the way through (by two signals in a row
    when twice, as timeout(1) or an impatient user send); returns the
    second's returncode and stderr, the whole run's time and how long the
    second took to end after the signal."""
    reset()
    t = time.monotonic()
    out = grille(*args)
    assert out.returncode == 0, out.stderr.decode()[-300:]
    took = time.monotonic() - t
    reset()
    p = subprocess.Popen([G] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=TMP)
    time.sleep(took * part)
    t = time.monotonic()
    p.send_signal(signal.SIGINT)
    if twice:
        p.send_signal(signal.SIGINT)
    _, err = p.communicate()
    return p.returncode, err, took, time.monotonic() - t


def interrupt_third(args, reset, twice=False):
    """interrupt_at a third of the way: (returncode, stderr)."""
    return interrupt_at(args, reset, 1 / 3, twice)[:2]


def t_ctrl_c_import():
    """Ctrl-C stops an import promptly, while it reads the archive's XML
    too (it used to go on to the end of the archive, seconds on a large
    one): exit 130, the project as it was."""
    src = os.path.join(TMP, 'int-whole.db')  # 3000 notes, from t_ctrl_c
    qdpx = os.path.join(TMP, 'int-whole.qdpx')
    assert grille('export', '-d', src, '-o', qdpx).returncode == 0
    db = os.path.join(TMP, 'int-import.db')

    fresh = {}

    def reset():
        for f in glob.glob(db + '*'):
            os.unlink(f)
        assert grille('init', '-d', db).returncode == 0
        fresh['dump'] = dump(db)
    rc, err, took, after = interrupt_at(['import', '-d', db, qdpx], reset,
                                        1 / 4)
    assert rc == 130, (rc, err.decode()[-300:])
    assert b'interrupted: ' + db.encode() + b' is unchanged' in err, err
    assert dump(db) == fresh['dump'], \
        'the interrupted import changed the project'
    # not to the end of the archive (three quarters of the run left):
    # within half of it, which a loaded machine stretches alike
    assert after < max(0.5, took / 2), \
        'stopped %.2f s after Ctrl-C (a whole import: %.2f s)' % (after, took)


def t_ctrl_c_recode_export():
    """Ctrl-C stops a recode between documents and an export while it
    writes or compresses: exit 130, the project and FILE as they were, no
    temporary file left."""
    src = os.path.join(TMP, 'int-whole.db')  # 3000 notes, from t_ctrl_c
    db = os.path.join(TMP, 'int-recode.db')

    def reset():
        for f in glob.glob(db + '*'):
            os.unlink(f)
        a, b = sqlite3.connect(src), sqlite3.connect(db)
        a.backup(b)
        a.close()
        b.close()
    reset()
    before = dump(db)
    rc, err = interrupt_third(['recode', '-j', '2', '-d', db, '-c',
                               recode_codebook()], reset)
    assert rc == 130, (rc, err.decode()[-300:])
    assert b'is unchanged' in err, err[-300:]
    assert dump(db) == before, 'the interrupted recode changed the project'
    out_dir = os.path.join(TMP, 'int-export')
    os.makedirs(out_dir)
    target = os.path.join(out_dir, 'p.qdpx')
    first = []

    def keep():
        if os.path.exists(target) and not first:
            with open(target, 'rb') as f:
                first.append(f.read())
    rc, err = interrupt_third(['export', '-d', src, '-f', 'qdpx', '-o',
                               target], keep, twice=True)
    assert rc == 130, (rc, err.decode()[-300:])
    assert b'interrupted: ' in err, err[-300:]
    assert os.listdir(out_dir) == ['p.qdpx'], os.listdir(out_dir)
    with open(target, 'rb') as f:
        assert first and f.read() == first[0], 'the export was changed'
    # csv to a folder: the three tables are all old or all new
    tables = os.path.join(TMP, 'int-csv')
    os.makedirs(tables)
    assert grille('export', '-d', DB, '-f', 'csv', '-o', tables
                  ).returncode == 0  # another project's tables first
    old = {f: open(os.path.join(tables, f), 'rb').read()
           for f in os.listdir(tables)}
    rc, err = interrupt_third(['export', '-d', src, '-f', 'csv', '-o',
                               tables], lambda: [
        open(os.path.join(tables, f), 'wb').write(b)
        for f, b in old.items()])
    assert rc == 130, (rc, err.decode()[-300:])
    now = {f: open(os.path.join(tables, f), 'rb').read()
           for f in os.listdir(tables)}
    assert now == old, 'tables changed: %r' % sorted(
        f for f in now if now[f] != old.get(f))


for name, fn in [
        ('init creates a project readable by its owner only', t_init),
        ('add corpus/', t_add_corpus),
        ('codings equal grille tag, code for code, offset for offset',
         t_codings_equal_tag),
        ('segments equal grille tag', t_segments_equal_tag),
        ('list counts and attributes match tag', t_list_counts),
        ('adding the same files again changes nothing', t_add_again_no_change),
        ('list as csv and text', t_list_formats),
        ('a new project knows its themes', t_new_project_knows_its_themes),
        ('add: a name and a path both taken is a failure', t_add_same_name_and_path),
        ('add: a note imported from an export before is already there',
         t_add_imported_note),
        ('import: a bad archive after a good one, nothing said in',
         t_import_one_bad_archive),
        ('add: a file edited since it was added is refused, not doubled',
         t_add_edited_file),
        ('add --replace: an edited note replaces its old version, keeping '
         'its attributes set by hand', t_add_replace),
        ('attr import: values counted once, conflicts refused', t_attr_import_counts),
        ('attr import: a name of a document and a collectivite',
         t_attr_import_name_and_collectivite),
        ('list as csv: a column per key of any document', t_list_csv_columns),
        ('list: rows past 8 MB wait in a temporary file', t_list_spilled),
        ('recode after a codebook edit equals tag with it',
         t_recode_after_edit),
        ('manual codings survive recode', t_manual_survives_recode),
        ('a theme renamed: recode says its manual codings stay on the old id',
         t_manual_on_renamed_theme),
        ('recode -c sets right a codebook a newer grille refuses',
         t_recode_from_a_refused_codebook),
        ('attr set and import, with origins', t_attributes),
        ('rm is all or nothing and cascades', t_rm),
        ('a document named twice is removed once', t_rm_named_twice),
        ('rm finds a path written another way', t_rm_path_written_otherwise),
        ('the file of a document, whatever names it', t_same_file_other_names),
        ('a folder with no note is named in a warning', t_empty_folder),
        ('no row without its parent', t_foreign_keys),
        ('add -j 1, 2, 4: the same project and messages',
         t_jobs_same_project),
        ('recode -j 1, 2, 4: the same project and changes',
         t_recode_jobs_same),
        ('recode: a regex that stops leaves the project as it was',
         t_recode_fails_unchanged),
        ('a file that fails does not stop the others',
         t_bad_file_others_go_in),
        ('project errors are clear', t_project_errors),
        ('attr import of a listing: rows find their notes by name',
         t_listing_names_its_documents),
        ('kill -9 during add, twenty times', t_kill_9),
        ('kill -9 during init: no half-made project', t_kill_9_init),
        ('a copy put back beside a killed import\'s journal is not rolled back',
         t_foreign_journal),
        ('four adds at once all succeed', t_concurrent_adds),
        ('a report during an add sees a consistent snapshot',
         t_report_during_add),
        ('a reader that may not write, during a first import',
         t_reader_during_first_import),
        ('a project through a link: its -wal is the target\'s',
         t_through_a_link),
        ('a first import puts WAL back though readers hold the project',
         t_first_import_back_to_wal),
        ('Ctrl-C during add rolls back', t_ctrl_c),
        ('Ctrl-C while add or recode waits for the project', t_ctrl_c_waiting),
        ('a wait for the lock is said on a terminal, not elsewhere',
         t_wait_said_on_a_terminal),
        ('Ctrl-C stops recode and export, nothing left', t_ctrl_c_recode_export),
        ('Ctrl-C stops an import while it reads the archive', t_ctrl_c_import)]:
    check(name, fn)

status = plan()
shutil.rmtree(TMP, ignore_errors=True)
sys.exit(status)
