#!/usr/bin/env python3
"""End-to-end tests of `grille export` on the real binary.

A project of corpus/ exported as qdpx and qdc: both valid against the
REFI-QDA schemas (xmllint), the same bytes when exported twice, every
selection's code points in its source text equal to the coded term of the
csv export, one case per document with its attributes, the code tree of
the codebook; bad requests name what is wrong and leave the target as it
was.  Prints TAP.
"""
import csv
import glob
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

G = os.environ['GRILLE']
S = os.environ['GRILLE_SOURCE_DIR']
# The standard's XSDs are not ours to copy into the repository: they are
# looked for beside it, as in the workplace's layout, or where
# $GRILLE_REFI_SCHEMAS says.
SCHEMAS = next((d for d in (os.environ.get('GRILLE_REFI_SCHEMAS', ''),
                            os.path.join(S, '..', 'shared', 'refi-qda'),
                            '/work/shared/refi-qda')
                if d and os.path.isfile(os.path.join(d, 'Project.xsd'))),
               None)
P = '{urn:QDA-XML:project:1.0}'
C = '{urn:QDA-XML:codebook:1.0}'
TMP = tempfile.mkdtemp(prefix='grille-refi-')
results = []


def check(name, fn):
    try:
        why = fn()
    except Exception as e:
        why = '%s: %s' % (type(e).__name__, e)
    if why == 'SKIP':
        results.append((name, None))
        print('ok %d - %s # SKIP no REFI-QDA schemas or xmllint' %
              (len(results), name))
        return
    results.append((name, why))
    print(('ok %d - %s' if not why else 'not ok %d - %s: ' + why.replace(
        '%', '%%')) % (len(results), name))
    sys.stdout.flush()


def grille(*args):
    return subprocess.run([G] + list(args), capture_output=True, cwd=TMP)


def ok(out):
    assert out.returncode == 0, out.stderr.decode()
    return out


def xmllint(schema, path):
    if not SCHEMAS or not shutil.which('xmllint'):
        return 'SKIP'
    out = subprocess.run(['xmllint', '--noout', '--schema',
                          os.path.join(SCHEMAS, schema), path],
                         capture_output=True)
    return None if out.returncode == 0 else out.stderr.decode()[-500:]


INIT = ok(grille('init')).stdout.decode()
ok(grille('add', *sorted(glob.glob(os.path.join(S, 'corpus', '*')))))
ok(grille('attr', 'set', '01-saint-felix-de-lodez-maire.md', 'habitants=1100'))
ok(grille('export', '-f', 'qdpx', '-o', 'a.qdpx'))
ok(grille('export', '-f', 'qdc', '-o', 'a.qdc'))
ok(grille('export', '-f', 'csv', '-o', 'a.csv'))
Z = zipfile.ZipFile(os.path.join(TMP, 'a.qdpx'))
with open(os.path.join(TMP, 'project.qde'), 'wb') as f:
    f.write(Z.read('project.qde'))
ROOT = ET.fromstring(Z.read('project.qde'))
CODINGS = list(csv.DictReader(open(os.path.join(TMP, 'a.csv'),
                                   newline='', encoding='utf-8')))


def t_valid_project():
    return xmllint('Project.xsd', os.path.join(TMP, 'project.qde'))


def t_valid_codebook():
    return xmllint('Codebook.xsd', os.path.join(TMP, 'a.qdc'))


def t_same_bytes():
    ok(grille('export', '-f', 'qdpx', '-o', 'b.qdpx'))
    ok(grille('export', '-f', 'qdc', '-o', 'b.qdc'))
    for a, b in (('a.qdpx', 'b.qdpx'), ('a.qdc', 'b.qdc')):
        if open(os.path.join(TMP, a), 'rb').read() != \
                open(os.path.join(TMP, b), 'rb').read():
            return '%s and %s differ' % (a, b)


def unformula(s):
    return s[1:] if s[:2] in ("'=", "'+", "'-", "'@") else s


def t_selections():
    terms = {}
    for row in CODINGS:
        terms.setdefault(row['document'], []).append(unformula(row['term']))
    n = 0
    for src in ROOT.iter(P + 'TextSource'):
        ref = src.get('plainTextPath')
        assert ref.startswith('internal://'), ref
        text = Z.read('sources/' + ref[len('internal://'):]).decode('utf-8')
        got = [text[int(s.get('startPosition')):int(s.get('endPosition'))]
               for s in src.iter(P + 'PlainTextSelection')]
        n += len(got)
        want = terms.get(src.get('name'), [])
        if sorted(got) != sorted(want):
            return '%s: %r != %r' % (src.get('name'), sorted(got)[:4],
                                     sorted(want)[:4])
    if n != len(CODINGS) or n < 100:
        return '%d selections, %d codings' % (n, len(CODINGS))


def t_sources_are_bodies():
    names = {os.path.basename(p) for p in glob.glob(os.path.join(S, 'corpus', '*'))}
    srcs = list(ROOT.iter(P + 'TextSource'))
    if {s.get('name') for s in srcs} != names:
        return 'sources %r' % sorted(s.get('name') for s in srcs)[:3]
    for s in srcs:
        t = Z.read('sources/' + s.get('plainTextPath')[11:]).decode('utf-8')
        if t.startswith('---'):
            return '%s still has its front matter' % s.get('name')
        if '\r' in t or t.startswith('\ufeff'):
            return '%s: a CR or a BOM in the source text' % s.get('name')


def t_cases():
    cases = list(ROOT.iter(P + 'Case'))
    if len(cases) != len(list(ROOT.iter(P + 'TextSource'))):
        return '%d cases' % len(cases)
    var = {v.get('guid'): v for v in ROOT.iter(P + 'Variable')}
    for c in cases:
        if c.get('name') != '01-saint-felix-de-lodez-maire.md':
            continue
        vals = {}
        for vv in c.iter(P + 'VariableValue'):
            v = var[vv.find(P + 'VariableRef').get('targetGUID')]
            val = [e for e in vv if e.tag != P + 'VariableRef'][0]
            vals[v.get('name')] = (v.get('typeOfVariable'), val.tag[len(P):],
                                   val.text)
        if vals.get('habitants') != ('Integer', 'IntegerValue', '1100'):
            return 'habitants: %r' % (vals.get('habitants'),)
        if 'type' not in vals:
            return 'no type variable: %r' % vals
        return None
    return 'no case for the first note'


def t_code_tree():
    qdc = ET.parse(os.path.join(TMP, 'a.qdc')).getroot()
    top = qdc.find(C + 'Codes')
    themes = [c.get('name') for c in top.findall(C + 'Code')]
    nested = [c.get('name') for c in top.iter(C + 'Code')]
    ncodes = int(re.search(r'(\d+) codes', INIT).group(1))
    if len(nested) != ncodes or not 0 < len(themes) < ncodes:
        return 'themes %d, codes %d of %d' % (len(themes), len(nested),
                                              ncodes)
    pguids = [c.get('guid') for c in ROOT.iter(P + 'Code')]
    cguids = [c.get('guid') for c in top.iter(C + 'Code')]
    if pguids != cguids:
        return 'the project and the codebook disagree on GUIDs'
    refs = {r.get('targetGUID') for r in ROOT.iter(P + 'CodeRef')}
    if not refs <= set(pguids):
        return 'CodeRef to an unknown code'


def t_csv_rows():
    out = ok(grille('export', '-f', 'csv', '-o', '-')).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(out, newline='')))
    if rows != CODINGS:
        return 'stdout and file differ'
    keys = ['document', 'segment', 'line', 'code', 'start', 'end', 'term',
            'rule', 'origin']
    if list(rows[0].keys()) != keys:
        return 'header %r' % list(rows[0].keys())


def t_csv_folder():
    os.mkdir(os.path.join(TMP, 'tables'))
    ok(grille('export', '-f', 'csv', '-o', 'tables'))
    got = sorted(os.listdir(os.path.join(TMP, 'tables')))
    if got != ['codings.csv', 'documents.csv', 'matrix.csv']:
        return 'files %r' % got
    read = lambda n: open(os.path.join(TMP, 'tables', n), newline='',
                          encoding='utf-8').read()
    if list(csv.DictReader(io.StringIO(read('codings.csv')))) != CODINGS:
        return 'codings.csv differs from the codings export'
    if read('documents.csv') != ok(grille('list', '-f', 'csv')).stdout.decode():
        return 'documents.csv differs from grille list -f csv'
    # the matrix, recomputed from the codings: segments coded with a code
    # or one of its sub-codes, per document
    segs = {}
    for row in CODINGS:
        parts = unformula(row['code']).split('/')
        for i in range(1, len(parts) + 1):
            segs.setdefault((row['document'], '/'.join(parts[:i])),
                            set()).add(row['segment'])
    m = list(csv.reader(io.StringIO(read('matrix.csv'))))
    codes = m[0][1:]
    if len(m) != 19 or not codes:
        return '%d rows' % len(m)
    for line in m[1:]:
        for code, cell in zip(codes, line[1:]):
            want = len(segs.get((line[0], code), ()))
            if int(cell) != want:
                return '%s x %s: %s, want %d' % (line[0], code, cell, want)


def t_bad_format():
    out = grille('export', '-f', 'xml', '-o', 'x')
    if out.returncode != 2 or b"'xml'" not in out.stderr:
        return 'rc %d: %r' % (out.returncode, out.stderr)


def t_no_output():
    out = grille('export', '-f', 'qdpx')
    if out.returncode != 2 or b'-o' not in out.stderr:
        return 'rc %d: %r' % (out.returncode, out.stderr)


def t_bad_dir():
    out = grille('export', '-f', 'qdpx', '-o', 'nowhere/x.qdpx')
    if out.returncode != 1 or b'nowhere/x.qdpx' not in out.stderr:
        return 'rc %d: %r' % (out.returncode, out.stderr)


def t_bad_codebook_keeps_target():
    with open(os.path.join(TMP, 'bad.yaml'), 'w') as f:
        f.write('codes: [\n')
    before = open(os.path.join(TMP, 'a.qdc'), 'rb').read()
    out = grille('export', '-f', 'qdc', '-c', 'bad.yaml', '-o', 'a.qdc')
    if out.returncode != 1 or b'bad.yaml:' not in out.stderr:
        return 'rc %d: %r' % (out.returncode, out.stderr)
    if open(os.path.join(TMP, 'a.qdc'), 'rb').read() != before:
        return 'a.qdc changed'
    left = [f for f in os.listdir(TMP) if '.tmp-' in f]
    if left:
        return 'left %r' % left


def t_codebook_without_project():
    d = tempfile.mkdtemp(dir=TMP)
    out = subprocess.run([G, 'export', '-f', 'qdc', '-c',
                          os.path.join(S, 'codebooks', 'riposte.yaml'),
                          '-o', 'c.qdc'], capture_output=True, cwd=d)
    if out.returncode != 0:
        return out.stderr.decode()
    if open(os.path.join(d, 'c.qdc'), 'rb').read() != \
            open(os.path.join(TMP, 'a.qdc'), 'rb').read():
        return 'the bundled codebook exports differently from the project'


def t_no_project():
    d = tempfile.mkdtemp(dir=TMP)
    out = subprocess.run([G, 'export', '-f', 'qdpx', '-o', 'x.qdpx'],
                         capture_output=True, cwd=d)
    if out.returncode != 1 or b'grille.db' not in out.stderr or \
            os.listdir(d):
        return 'rc %d: %r %r' % (out.returncode, out.stderr, os.listdir(d))


for name, fn in [('the project validates against Project.xsd', t_valid_project),
                 ('the codebook validates against Codebook.xsd', t_valid_codebook),
                 ('two exports are the same bytes', t_same_bytes),
                 ('every selection is the coded text', t_selections),
                 ('one source per note: body only, LF, no BOM', t_sources_are_bodies),
                 ('cases carry attributes as typed variables', t_cases),
                 ('the code tree and its GUIDs', t_code_tree),
                 ('csv: one row per coding, file or stdout', t_csv_rows),
                 ('csv to a folder: codings, documents, matrix', t_csv_folder),
                 ('an unknown format is a usage error', t_bad_format),
                 ('no -o is a usage error', t_no_output),
                 ('a missing folder names the target', t_bad_dir),
                 ('a bad codebook leaves the target as it was', t_bad_codebook_keeps_target),
                 ('-f qdc -c needs no project', t_codebook_without_project),
                 ('no project: a clear error, nothing written', t_no_project)]:
    check(name, fn)
print('1..%d' % len(results))
shutil.rmtree(TMP, ignore_errors=True)
sys.exit(0)
