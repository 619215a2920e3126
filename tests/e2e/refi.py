#!/usr/bin/env python3
"""End-to-end tests of `grille export`, `grille import` and `grille eval
--gold-project` on the real binary.

A project of corpus/ exported as qdpx and qdc: both valid against the
REFI-QDA schemas (xmllint), the same bytes when exported twice, every
selection's code points in its source text equal to the coded term of the
csv export, one case per document with its attributes, the code tree of
the codebook; bad requests name what is wrong and leave the target as it
was.  Import: files written by hand in NVivo's, ATLAS.ti's, MAXQDA's and
QualCoder's dialects give the same manual codings; export -> import into a
fresh project gives the same documents, attributes and codings; codings
made by hand on grille's own export land on the stored notes; a failed
import leaves nothing.  eval --gold-project: perfect on grille's own
codings, and equal to scores recomputed here from the codings.  Prints
TAP.
"""
import csv
import glob
import io
import json
import os
import re
import shutil
import sqlite3
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
# shaped like a date, but not one: must be exported as text to stay valid
ok(grille('attr', 'set', '02-montpellier-dgs.md', 'dossier=2020-13-45'))
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


def t_indented():
    """project.qde is indented one space a level throughout: the
    selections, written whole rather than by libxml2's writer, sit as the
    writer would put them, and so do the end tags after them."""
    depth, bad, sel = 0, [], 0
    lines = Z.read('project.qde').decode('utf-8').split('\n')
    for i, line in enumerate(lines[1:], 2):  # after the XML declaration
        if not line.strip():
            continue
        body = line.lstrip(' ')
        closing = body.startswith('</')
        want = depth - 1 if closing else depth
        if len(line) - len(body) != want and len(bad) < 3:
            bad.append('line %d at %d spaces, not %d: %r' % (
                i, len(line) - len(body), want, line[:80]))
        sel += body.startswith('<PlainTextSelection ')
        if closing:
            depth -= 1
        elif not body.endswith('/>') and '</' not in body:
            depth += 1
    if sel < 10:
        return 'test bug: %d selections' % sel
    return '; '.join(bad) or None


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
        types = {v.get('name'): v.get('typeOfVariable') for v in var.values()}
        if types.get('date') != 'Date' or types.get('dossier') != 'Text':
            return 'variable types %r' % types
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


def t_csv_as_tag():
    """The codings of export -f csv are tag -f csv's for the same notes:
    the same segment numbers (from 0), lines, codes, offsets and terms."""
    notes = sorted(glob.glob(os.path.join(S, 'corpus', '*')))
    tag = ok(grille('tag', '-f', 'csv', *notes)).stdout.decode()
    want = sorted((os.path.basename(r['document']), r['segment'], r['line'],
                   r['code'], r['start'], r['end'], r['term'], r['rule'])
                  for r in csv.DictReader(io.StringIO(tag, newline='')))
    got = sorted((r['document'], r['segment'], r['line'], r['code'],
                  r['start'], r['end'], r['term'], r['rule'].lstrip("'"))
                 for r in CODINGS)
    want = [w[:7] + (w[7].lstrip("'"),) for w in want]
    if len(got) < 100:
        return 'test bug: %d codings' % len(got)
    if got != want:
        diff = sorted(set(got) ^ set(want))[:3]
        return 'export and tag differ: %r' % diff
    return None


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


def t_no_temporary_left():
    """project.qde is written to a file beside the target before it goes
    into the ZIP: none is left, after an export or after a failed one,
    and the entries of the texts have their sizes (no ZIP64 fields).  The
    temporaries of an export killed before (its process gone) are removed
    by the next export to the same file; a live process's are not."""
    dead = subprocess.Popen(['true'])
    dead.wait()
    stale = ['c.qdpx.tmp-%d' % dead.pid, 'c.qdpx.tmp-%d.aBc123' % dead.pid]
    kept = ['c.qdpx.tmp-%d.qde' % os.getpid(), 'c.qdpx.tmp-notapid',
            'd.qdpx.tmp-%d' % dead.pid]
    for f in stale + kept:
        with open(os.path.join(TMP, f), 'w') as fh:
            fh.write('left by a kill\n')
    ok(grille('export', '-f', 'qdpx', '-o', 'c.qdpx'))
    there = [f for f in stale + kept if os.path.exists(os.path.join(TMP, f))]
    if there != kept:
        return 'after an export to c.qdpx: %r, want %r' % (there, kept)
    for f in kept:
        os.unlink(os.path.join(TMP, f))
    out = grille('export', '-f', 'qdpx', '-o', 'nowhere/c.qdpx')
    if out.returncode != 1:
        return 'export to a missing folder: rc %d' % out.returncode
    left = [f for f in os.listdir(TMP) if '.tmp-' in f]
    if left:
        return 'left behind: %r' % left
    with zipfile.ZipFile(os.path.join(TMP, 'c.qdpx')) as z:
        for i in z.infolist():
            if i.extra or i.external_attr >> 16 != 0o100666:
                return '%s: extra %r, mode %o' % (i.filename, i.extra,
                                                  i.external_attr >> 16)
            if z.read(i.filename) != Z.read(i.filename):
                return '%s differs from the first export' % i.filename


def t_export_targets():
    """A link is written through (it stays a link); a pipe or a folder is
    refused before any work, with the reason; so is a missing folder."""
    d = os.path.join(TMP, 'targets')
    os.makedirs(d)
    real = os.path.join(d, 'real.qdpx')
    open(real, 'w').close()
    os.symlink('real.qdpx', os.path.join(d, 'link.qdpx'))
    ok(grille('export', '-f', 'qdpx', '-o', 'targets/link.qdpx'))
    if not os.path.islink(os.path.join(d, 'link.qdpx')):
        return 'the link was replaced by a file'
    if open(real, 'rb').read() != open(os.path.join(TMP, 'a.qdpx'),
                                       'rb').read():
        return 'the file behind the link is not the export'
    os.mkfifo(os.path.join(d, 'pipe'))
    for fmt, target, want in [
            ('qdpx', 'targets/pipe', b'not a regular file'),
            ('csv', 'targets/pipe', b'not a regular file'),
            ('qdpx', 'targets', b'is a folder'),
            ('qdc', 'targets/', b'is a folder'),
            ('qdpx', 'targets/none/x.qdpx', b'no folder targets/none'),
            ('qdpx', 'targets/gone/', b'no such folder')]:
        out = grille('export', '-f', fmt, '-o', target)
        if out.returncode != 1 or want not in out.stderr:
            return '-f %s -o %s: rc %d, %r' % (fmt, target, out.returncode,
                                              out.stderr)
    if sorted(os.listdir(d)) != ['link.qdpx', 'pipe', 'real.qdpx']:
        return 'left in the folder: %r' % sorted(os.listdir(d))
    # csv to a folder whose matrix.csv is a folder: no table replaced
    tables = os.path.join(d, 'tables')
    os.makedirs(os.path.join(tables, 'matrix.csv'))
    with open(os.path.join(tables, 'codings.csv'), 'w') as f:
        f.write('old\n')
    out = grille('export', '-f', 'csv', '-o', 'targets/tables')
    if out.returncode != 1 or b'matrix.csv is a folder' not in out.stderr:
        return 'csv to a folder with a folder in it: %r' % out.stderr
    if open(os.path.join(tables, 'codings.csv')).read() != 'old\n' or \
            sorted(os.listdir(tables)) != ['codings.csv', 'matrix.csv']:
        return 'csv to that folder changed it: %r' % os.listdir(tables)
    # the codebook exported over itself (-c cb.yaml -o cb.yaml): refused,
    # the YAML kept
    cb = os.path.join(d, 'cb.yaml')
    shutil.copyfile(os.path.join(S, 'codebooks', 'riposte.yaml'), cb)
    before = open(cb, 'rb').read()
    out = grille('export', '-f', 'qdc', '-c', 'targets/cb.yaml', '-o',
                 'targets/cb.yaml')
    if out.returncode != 1 or b'is the codebook being exported' not in \
            out.stderr or open(cb, 'rb').read() != before:
        return '-c cb.yaml -o cb.yaml: rc %d, %r' % (out.returncode,
                                                   out.stderr)
    # the standard output named as a file is written to, not replaced
    if os.path.exists('/dev/stdout'):
        out = grille('export', '-f', 'csv', '-o', '/dev/stdout')
        if out.returncode != 0 or not out.stdout.startswith(b'document,'):
            return '-o /dev/stdout: rc %d, %r' % (out.returncode,
                                                  out.stdout[:40])
        out = grille('export', '-f', 'qdpx', '-o', '/dev/stdout')
        if out.returncode != 2:
            return '-f qdpx -o /dev/stdout: rc %d' % out.returncode


def t_long_names():
    """A target whose name is too long for a temporary file's suffix
    (250 bytes) is written all the same, through a temporary of a shorter
    name renamed onto it, and nothing is left beside it; the report's
    -o no longer empties the file first."""
    d = os.path.join(TMP, 'long')
    os.makedirs(d)
    for fmt, cmd in [('qdpx', 'export'), ('qdc', 'export'),
                     ('txt', 'report')]:
        name = os.path.join('long', 'é' * 120 + 'x' * 5 + '.' + fmt)
        with open(os.path.join(TMP, name), 'w') as f:
            f.write('precious\n')
        args = [cmd, '-o', name] + (['-f', fmt] if cmd == 'export' else [])
        ok(grille(*args))
        body = open(os.path.join(TMP, name), 'rb').read()
        want = b'PK' if fmt == 'qdpx' else b'<?xml' if fmt == 'qdc' \
            else b'Theme report'
        if not body.startswith(want):
            return '%s -o %s: %r' % (cmd, fmt, body[:20])
        os.unlink(os.path.join(TMP, name))
    if os.listdir(d):
        return 'left beside: %r' % os.listdir(d)


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


# A .qdpx as other tools write them (see the pitfalls in docs/project.md):
# the .qde named after the project, "Sources/" capitalised, a source with a
# BOM and CR LF line ends (positions counted with LF), a case without a
# name, an empty selection, a code unknown to the project under a known
# theme, a selection over two paragraphs.
FIX_TEXT = ('\ufeffQ : et la santé des agents ?\r\n\r\n'
            'R : des masques pour tous, puis la vaccination.\r\n\r\n'
            'Le télétravail a tenu.\r\n')
FIX_LF = FIX_TEXT[1:].replace('\r\n', '\n')
U = 'aaaaaaaa-0000-4000-8000-000000000001'


def sel(guid, term, code, nth=0, user=U, end=None):
    i = -1
    for _ in range(nth + 1):
        i = FIX_LF.index(term, i + 1)
    j = i + len(term) if end is None else end
    return ('<PlainTextSelection guid="%s" startPosition="%d" endPosition='
            '"%d" creatingUser="%s"><Coding guid="%s-c" creatingUser="%s">'
            '<CodeRef targetGUID="%s"/></Coding></PlainTextSelection>'
            % (guid, i, j, user, guid, user, code))


FIX_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Trial">
<Users><User guid="%s" name="Léa Martin"/></Users>
<CodeBook><Codes>
 <Code guid="c-sante" name="SANTE et crise sanitaire" isCodable="true">
  <Code guid="c-prot" name="protection" isCodable="true"/>
  <Code guid="c-vacc" name="Vaccination" isCodable="true" color="#00ff00"/>
 </Code>
 <Code guid="c-tele" name="Télétravail et travail à distance" isCodable="true"/>
 <Code guid="c-new" name="Nouveau thème" isCodable="true">
  <Code guid="c-kid" name="Enfant" isCodable="true"/>
 </Code>
</Codes></CodeBook>
<Variables><Variable guid="v-type" name="type" typeOfVariable="Text"/>
 <Variable guid="v-pop" name="population" typeOfVariable="Integer"/></Variables>
<Cases><Case guid="k1"><VariableValue><VariableRef targetGUID="v-type"/>
 <TextValue>ccas</TextValue></VariableValue><VariableValue>
 <VariableRef targetGUID="v-pop"/><IntegerValue>5400</IntegerValue>
 </VariableValue><SourceRef targetGUID="s1"/></Case></Cases>
<Sources><TextSource guid="s1" name="entretien-ccas.txt"
 plainTextPath="internal://s1.txt" creatingUser="%s">
%s
%s
%s
%s
<PlainTextSelection guid="z0" startPosition="5" endPosition="5"
 creatingUser="%s"><Coding guid="z0c" creatingUser="%s">
 <CodeRef targetGUID="c-sante"/></Coding></PlainTextSelection>
%s
</TextSource></Sources></Project>
""" % (U, U, sel('p1', 'masques', 'c-prot'), sel('p2', 'vaccination', 'c-vacc'),
       sel('p3', 'santé', 'c-sante'), sel('p4', 'télétravail', 'c-tele'),
       U, U, sel('p5', 'puis', 'c-sante', end=FIX_LF.index('Le') + 2)
       + sel('p6', 'agents', 'c-kid'))


# Each tool's dialect: the name of the .qde, of the sources folder, and the
# source text (with or without BOM, CR LF or LF); extra XML that the tool
# writes (MAXQDA: a selection with a Description and no Coding).
DIALECTS = {
    'mixed': ('Trial.qde', 'Sources', FIX_TEXT, ''),
    'nvivo': ('project.qde', 'Sources', FIX_TEXT[1:], ''),
    'atlas': ('Trial.qde', 'sources', FIX_TEXT[1:], ''),
    'maxqda': ('project.qde', 'sources', FIX_LF,
               '<PlainTextSelection guid="mx" startPosition="0" '
               'endPosition="3"><Description>memo</Description>'
               '</PlainTextSelection>'),
    'qualcoder': ('project.qde', 'sources', FIX_TEXT, ''),
}


def fixture(path, dialect='mixed'):
    qde_name, folder, text, extra = DIALECTS[dialect]
    qde = FIX_QDE.replace('</TextSource>', extra + '</TextSource>')
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr(qde_name, qde.encode('utf-8'))
        z.writestr(folder + '/s1.txt', text.encode('utf-8'))


def manual_rows(cwd):
    out = subprocess.run([G, 'export', '-f', 'csv', '-o', '-'],
                         capture_output=True, cwd=cwd)
    assert out.returncode == 0, out.stderr.decode()
    return sorted((r['document'], r['code'], r['term'], r['start'], r['end'])
                  for r in csv.DictReader(io.StringIO(out.stdout.decode(),
                                                      newline=''))
                  if r['origin'] == 'manual')


def t_import_dialects():
    """The same coding in each tool's dialect gives the same codings."""
    want = None
    for dialect in DIALECTS:
        d = tempfile.mkdtemp(dir=TMP)
        fixture(os.path.join(d, 'x.qdpx'), dialect)
        ok(subprocess.run([G, 'init'], capture_output=True, cwd=d))
        out = subprocess.run([G, 'import', 'x.qdpx'], capture_output=True,
                             cwd=d)
        if out.returncode != 0:
            return '%s: %s' % (dialect, out.stderr.decode())
        rows = manual_rows(d)
        if len(rows) != 7 or (want is not None and rows != want):
            return '%s: %r' % (dialect, rows)
        want = rows


def t_import_dialect():
    d = tempfile.mkdtemp(dir=TMP)
    fixture(os.path.join(d, 'trial.qdpx'))
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)
    ok(run('init'))
    out = run('import', 'trial.qdpx')
    if out.returncode != 0:
        return out.stderr.decode()
    if b'1 document added' not in out.stdout or \
            b'1 coding dropped' not in out.stderr or \
            b"; the first: source 'entretien-ccas.txt', selection '5' to " \
            b"'5' (GUID z0): not a selection (empty, reversed, or not " \
            b"numbers)" \
            not in out.stderr:
        return 'output %r %r' % (out.stdout, out.stderr)
    rows = manual_rows(d)
    terms = sorted((r[1], r[2]) for r in rows)
    want = sorted([('sante/protection', 'masques'), ('sante/vaccination',
                   'vaccination'), ('sante', 'santé'),
                   ('teletravail', 'télétravail'),
                   ('sante', 'puis la vaccination.'), ('sante', 'Le'),
                   ('nouveau_theme/enfant', 'agents')])
    if terms != want:
        return 'manual codings %r' % terms
    listing = ok(run('list', '-f', 'csv')).stdout.decode()
    doc = list(csv.DictReader(io.StringIO(listing, newline='')))
    if len(doc) != 1 or doc[0]['type'] != 'ccas' or \
            doc[0]['population'] != '5400':
        return 'attributes %r' % doc
    # the same file again: nothing new
    out = run('import', 'trial.qdpx')
    if out.returncode != 0 or manual_rows(d) != rows:
        return 'a second import changed the codings'
    # and through grille's own export into a fresh project: the same
    ok(run('export', '-f', 'qdpx', '-o', 'again.qdpx'))
    # the export of hand codings: valid, its coder a user, every code there
    again = zipfile.ZipFile(os.path.join(d, 'again.qdpx'))
    with open(os.path.join(d, 'again.qde'), 'wb') as f:
        f.write(again.read('project.qde'))
    why = xmllint('Project.xsd', os.path.join(d, 'again.qde'))
    if why and why != 'SKIP':
        return 'the export of an import: %s' % why
    root = ET.fromstring(again.read('project.qde'))
    users = {u.get('guid'): u.get('name') for u in
             root.find(P + 'Users').findall(P + 'User')}
    coders = {users.get(c.get('creatingUser')) for c in root.iter(P + 'Coding')}
    if 'Léa Martin' not in coders:
        return 'the coder is lost: %r' % coders
    codes = {c.get('guid') for c in root.iter(P + 'Code')}
    if not {r.get('targetGUID') for r in root.iter(P + 'CodeRef')} <= codes:
        return 'a CodeRef to a code missing from the export'
    e = tempfile.mkdtemp(dir=TMP)
    shutil.copy(os.path.join(d, 'again.qdpx'), e)
    ok(subprocess.run([G, 'init'], capture_output=True, cwd=e))
    ok(subprocess.run([G, 'import', 'again.qdpx'], capture_output=True,
                      cwd=e))
    if manual_rows(e) != rows:
        return 'round trip of manual codings: %r' % manual_rows(e)[:3]


def t_round_trip():
    """corpus project -> qdpx -> fresh project: same documents, attributes
    and codings."""
    e = tempfile.mkdtemp(dir=TMP)
    ok(subprocess.run([G, 'init'], capture_output=True, cwd=e))
    out = subprocess.run([G, 'import', os.path.join(TMP, 'a.qdpx')],
                         capture_output=True, cwd=e)
    if out.returncode != 0:
        return out.stderr.decode()
    def state(cwd):
        docs = {}
        listing = subprocess.run([G, 'list', '-f', 'json'], capture_output=True,
                                 cwd=cwd).stdout
        for d in json.loads(listing)['documents']:
            docs[d['name']] = (d['words'], d['segments'], d['codings'],
                               d['attributes'])
        out = subprocess.run([G, 'export', '-f', 'csv', '-o', '-'],
                             capture_output=True, cwd=cwd).stdout.decode()
        # byte offsets move with the front matter and CR LF: the segment
        # and the term say where a coding is
        codings = sorted((r['document'], int(r['segment']), r['code'],
                          r['term'], r['rule'], r['origin'])
                         for r in csv.DictReader(io.StringIO(out, newline='')))
        return docs, codings
    a_docs, a_cod = state(TMP)
    b_docs, b_cod = state(e)
    if a_docs != b_docs:
        diff = [k for k in a_docs if a_docs[k] != b_docs.get(k)]
        return 'documents differ: %r' % [(a_docs[k], b_docs.get(k))
                                          for k in diff[:2]]
    if a_cod != b_cod:
        diff = sorted(set(a_cod) ^ set(b_cod))
        return 'codings differ: %d vs %d, %r' % (len(a_cod), len(b_cod),
                                                 diff[:4])


def t_import_same_text():
    """Two notes that only their front matters told apart have one text in
    a qdpx: imported, the second source's codings go to the first's
    document, and its case variables do not overwrite that document's;
    the import says so."""
    d = tempfile.mkdtemp(dir=TMP)
    for name, town in (('a.md', 'Lodève'), ('b.md', 'Millau')):
        with open(os.path.join(d, name), 'w', encoding='utf-8') as f:
            f.write('---\ncollectivite: %s\n---\nLe télétravail des agents.'
                    '\n' % town)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)
    ok(run('init', '-d', 'src.db'))
    ok(run('add', '-d', 'src.db', 'a.md', 'b.md'))
    ok(run('export', '-d', 'src.db', '-f', 'qdpx', '-o', 'src.qdpx'))
    ok(run('init', '-d', 'dst.db'))
    out = run('import', '-d', 'dst.db', 'src.qdpx')
    if out.returncode != 0:
        return out.stderr.decode()
    if b'1 document added, 1 already there' not in out.stdout or \
            b'1 source has the text of a document of another name' \
            not in out.stderr:
        return 'import says %r %r' % (out.stdout, out.stderr)
    docs = json.loads(run('list', '-d', 'dst.db', '-f',
                          'json').stdout)['documents']
    got = [(x['name'], x['attributes']) for x in docs]
    if got != [('a.md', {'collectivite': 'Lodève'})]:
        return 'documents %r' % got
    return None


def t_import_back():
    """Codings made by hand on grille's own export come back to the notes
    they were made on: front matter and CR LF of the stored notes taken
    into account."""
    d = tempfile.mkdtemp(dir=TMP)
    shutil.copy(os.path.join(TMP, 'grille.db'), d)
    qde = Z.read('project.qde').decode('utf-8')
    user = 'bbbbbbbb-0000-4000-8000-000000000002'
    qde = qde.replace('</Users>', '<User guid="%s" name="Marc"/></Users>'
                      % user)
    want = []
    for name, word in (('09-hautes-alpes-dgs.md', 'leçon'),
                       ('01-saint-felix-de-lodez-maire.md', 'secretaire')):
        src = [x for x in ROOT.iter(P + 'TextSource')
               if x.get('name') == name][0]
        text = Z.read('sources/' + src.get('plainTextPath')[11:]).decode()
        i = text.lower().rindex(word)
        word = text[i:i + len(word)]
        want.append((name, 'elus', word))
        code = [c.get('guid') for c in ROOT.iter(P + 'Code')
                if c.get('name').startswith('Élus')][0]
        tag = '<TextSource guid="%s"' % src.get('guid')
        at = qde.index('>', qde.index(tag)) + 1
        qde = qde[:at] + ('<PlainTextSelection guid="m-%s" startPosition='
                          '"%d" endPosition="%d" creatingUser="%s"><Coding '
                          'guid="mc-%s" creatingUser="%s"><CodeRef '
                          'targetGUID="%s"/></Coding></PlainTextSelection>'
                          % (name, i, i + len(word), user, name, user,
                             code)) + qde[at:]
    with zipfile.ZipFile(os.path.join(d, 'back.qdpx'), 'w') as z:
        for n in Z.namelist():
            z.writestr(n, qde if n == 'project.qde' else Z.read(n))
    out = subprocess.run([G, 'import', 'back.qdpx'], capture_output=True,
                         cwd=d)
    if out.returncode != 0 or b'18 already there' not in out.stdout:
        return 'rc %d %r %r' % (out.returncode, out.stdout, out.stderr)
    got = sorted(r[:3] for r in manual_rows(d))
    if got != sorted(want):
        return 'manual codings %r, want %r' % (got, sorted(want))
    # the schema's CHECKs hold (grille's own connection does not test them)
    con = sqlite3.connect(os.path.join(d, 'grille.db'))
    check = con.execute('PRAGMA integrity_check').fetchone()[0]
    con.close()
    if check != 'ok':
        return 'integrity_check: %s' % check
    m = re.search(rb'(\d+) manual codings?', out.stdout)
    if not m or int(m.group(1)) == 0:
        return 'the first import counts no manual coding: %r' % out.stdout
    # again: nothing new, and it says so
    again = subprocess.run([G, 'import', 'back.qdpx'], capture_output=True,
                           cwd=d)
    if again.returncode != 0 or b' 0 manual codings' not in again.stdout \
            or b'dropped' in again.stderr:
        return 'the second import: %r %r' % (again.stdout, again.stderr)
    if sorted(r[:3] for r in manual_rows(d)) != sorted(want):
        return 'the second import changed the manual codings'
    return None


def t_import_back_numbers_used_up():
    """A hand coding onto a stored note whose segments' last coding number
    is taken (another tool's) cannot be numbered in its segment: the import
    fails, says so, and leaves the project as it was (grille's connections
    do not test the schema's CHECK; the import does)."""
    d = tempfile.mkdtemp(dir=TMP)
    shutil.copy(os.path.join(TMP, 'grille.db'), d)
    db = os.path.join(d, 'grille.db')
    name = '09-hautes-alpes-dgs.md'
    con = sqlite3.connect(db)
    con.execute('INSERT INTO codings (id, segment, code, start, "end", '
                "term, rule, origin) SELECT (s.id << 28) + 268435455, s.id, "
                "(SELECT min(id) FROM codes), s.start, s.start, '', 'x', "
                "'manual' FROM segments s JOIN documents d ON d.id = "
                's.document WHERE d.name = ?', (name,))
    con.commit()
    con.close()
    before = manual_rows(d)
    qde = Z.read('project.qde').decode('utf-8')
    src = [x for x in ROOT.iter(P + 'TextSource') if x.get('name') == name][0]
    text = Z.read('sources/' + src.get('plainTextPath')[11:]).decode()
    i = text.lower().rindex('leçon')
    code = [c.get('guid') for c in ROOT.iter(P + 'Code')
            if c.get('name').startswith('Élus')][0]
    at = qde.index('>', qde.index('<TextSource guid="%s"' % src.get('guid')))
    qde = qde[:at + 1] + ('<PlainTextSelection guid="m-1" startPosition="%d" '
                          'endPosition="%d"><Coding guid="mc-1"><CodeRef '
                          'targetGUID="%s"/></Coding></PlainTextSelection>'
                          % (i, i + 5, code)) + qde[at + 1:]
    with zipfile.ZipFile(os.path.join(d, 'back.qdpx'), 'w') as z:
        for n in Z.namelist():
            z.writestr(n, qde if n == 'project.qde' else Z.read(n))
    out = subprocess.run([G, 'import', 'back.qdpx'], capture_output=True,
                         cwd=d)
    if out.returncode == 0 or b'numbered past 268435455' not in out.stderr:
        return 'rc %d %r' % (out.returncode, out.stderr)
    if manual_rows(d) != before:
        return 'the failed import changed the manual codings'
    con = sqlite3.connect(db)
    bad = con.execute('SELECT count(*) FROM codings WHERE id >> 28 != '
                      'segment').fetchone()[0]
    con.close()
    return 'codings numbered in another segment: %d' % bad if bad else None


def eval_project(qdpx, cwd):
    out = subprocess.run([G, 'eval', '--gold-project', qdpx, '-f', 'csv'],
                         capture_output=True, cwd=cwd)
    assert out.returncode == 0, out.stderr.decode()
    return {r['code']: r for r in
            csv.DictReader(io.StringIO(out.stdout.decode(), newline=''))}


def expected_scores(qdpx):
    """tp, fp, fn, tn per code coded by hand, recomputed from the codings
    of a fresh project that imported `qdpx` (bundled codebook)."""
    d = tempfile.mkdtemp(dir=TMP)
    ok(subprocess.run([G, 'init'], capture_output=True, cwd=d))
    ok(subprocess.run([G, 'import', qdpx], capture_output=True, cwd=d))
    out = ok(subprocess.run([G, 'export', '-f', 'csv', '-o', '-'],
                            capture_output=True, cwd=d)).stdout.decode()
    docs = json.loads(ok(subprocess.run([G, 'list', '-f', 'json'],
                                        capture_output=True,
                                        cwd=d)).stdout)['documents']
    units = sum(x['segments'] for x in docs)
    known = {r['code'] for r in csv.DictReader(io.StringIO(out, newline=''))
             if r['origin'] == 'automatic'}
    # the codebook's codes: the columns of the corpus project's matrix
    m = tempfile.mkdtemp(dir=TMP)
    ok(grille('export', '-f', 'csv', '-o', m))
    with open(os.path.join(m, 'matrix.csv'), newline='') as f:
        known |= set(next(csv.reader(f))[1:])
    sets = {'manual': {}, 'automatic': {}}
    for r in csv.DictReader(io.StringIO(out, newline='')):
        parts = r['code'].split('/')
        for i in range(1, len(parts) + 1):
            code = '/'.join(parts[:i])
            sets[r['origin']].setdefault(code, set()).add(
                (r['document'], r['segment']))
    want = {}
    for code, gold in sets['manual'].items():
        if code not in known:
            continue
        pred = sets['automatic'].get(code, set())
        tp = len(gold & pred)
        want[code] = (tp, len(pred) - tp, len(gold) - tp,
                      units - len(gold | pred))
    return want


def t_eval_gold_project():
    # grille's own codings given to a person: a perfect score
    qde = Z.read('project.qde').decode('utf-8')
    grille_user = re.search(r'<User guid="([^"]+)" name="grille"',
                            qde).group(1)
    qde = qde.replace('</Users>', '<User guid="h" name="Hélène"/></Users>')
    qde = qde.replace('creatingUser="%s"' % grille_user, 'creatingUser="h"')
    path = os.path.join(TMP, 'perfect.qdpx')
    with zipfile.ZipFile(path, 'w') as z:
        for n in Z.namelist():
            z.writestr(n, qde if n == 'project.qde' else Z.read(n))
    got = eval_project(path, TMP)
    if got['micro']['f1'] != '1.0000' or int(got['micro']['fn']) != 0 or \
            len(got) < 10:
        return 'perfect gold: %r' % got['micro']
    # the codebook from standard input, read once for the scratch project
    # too (it was read again, and found empty)
    with open(os.path.join(S, 'codebooks', 'riposte.yaml'), 'rb') as f:
        piped = subprocess.run([G, 'eval', '--gold-project', path, '-f',
                                'csv', '-c', '-'], stdin=f,
                               capture_output=True, cwd=TMP)
    got2 = {r['code']: r for r in csv.DictReader(io.StringIO(
        piped.stdout.decode(), newline=''))}
    if piped.returncode != 0 or got2 != got:
        return 'eval -c -: %d %r' % (piped.returncode, piped.stderr[:200])
    # one document coded by hand, the others not read by the coder: only
    # its segments are scored (the others' would all be false positives)
    qde = Z.read('project.qde').decode('utf-8')
    qde = qde.replace('</Users>', '<User guid="h" name="Hélène"/></Users>')
    start = qde.index('<TextSource ')
    end = qde.index('</TextSource>', start)
    qde = qde[:start] + qde[start:end].replace(
        'creatingUser="%s"' % grille_user, 'creatingUser="h"') + qde[end:]
    path = os.path.join(TMP, 'one-by-hand.qdpx')
    with zipfile.ZipFile(path, 'w') as z:
        for n in Z.namelist():
            z.writestr(n, qde if n == 'project.qde' else Z.read(n))
    got = eval_project(path, TMP)
    if got['micro']['f1'] != '1.0000' or int(got['micro']['fp']) != 0:
        return 'one document by hand: %r' % got['micro']
    # the other tool's file: scores recomputed from the codings
    fixture(os.path.join(TMP, 'trial.qdpx'))
    got = eval_project(os.path.join(TMP, 'trial.qdpx'), TMP)
    want = expected_scores(os.path.join(TMP, 'trial.qdpx'))
    got = {k: tuple(int(v[x]) for x in ('tp', 'fp', 'fn', 'tn'))
           for k, v in got.items() if k not in ('micro', 'macro')}
    if got != want or not want:
        return 'scores %r, want %r' % (got, want)


def t_eval_gold_project_bad():
    out = grille('eval', '--gold-project', 'nothing.qdpx')
    if out.returncode != 1 or b'nothing.qdpx' not in out.stderr:
        return 'rc %d %r' % (out.returncode, out.stderr)
    out = grille('eval', '--gold-project', 'a.qdpx', '--gold', 'x.tsv')
    if out.returncode != 2:
        return 'both golds: rc %d' % out.returncode
    left = [f for f in os.listdir(tempfile.gettempdir())
            if f.startswith('grille-eval-')]
    if left:
        return 'scratch folders left: %r' % left


def t_import_qdc():
    """A .qdc becomes a grille codebook that loads, with the same tree."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)
    out = run('import', os.path.join(TMP, 'a.qdc'), '-o', 'grid.yaml')
    if out.returncode != 0 or b'grid.yaml' not in out.stdout:
        return 'rc %d %r' % (out.returncode, out.stderr)
    chk = run('codebook', 'check', 'grid.yaml')
    if chk.returncode != 0:
        return 'check: %r' % chk.stderr
    show = run('codebook', 'show', 'grid.yaml').stdout.decode()
    if ' 18 codes' not in show or 'Outils du travail à distance' not in show:
        return 'show: %r' % show[:300]
    # the tree: re-exported, the same names and nesting as the original
    ok(run('export', '-f', 'qdc', '-c', 'grid.yaml', '-o', 'again.qdc'))
    def tree(path):
        def walk(n):
            return [(c.get('name'), c.get('color'), walk(c))
                    for c in n.findall(C + 'Code')]
        return walk(ET.parse(path).getroot().find(C + 'Codes'))
    if tree(os.path.join(d, 'again.qdc')) != tree(os.path.join(TMP, 'a.qdc')):
        return 'the tree changed'
    out = run('import', os.path.join(TMP, 'a.qdc'), '-o', 'grid.yaml')
    if out.returncode != 1 or b'not replaced' not in out.stderr:
        return 'an existing codebook was not protected: %r' % out.stderr
    # another tool's codebook: accents, same names, a bad colour, deep
    with open(os.path.join(d, 'nvivo.qdc'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                '<Code guid="1" name="Élus &amp; &quot;maires&quot;" '
                'isCodable="true" color="red"><Description>a\tb: c'
                '</Description><Code guid="2" name="Élus" isCodable="true"/>'
                '<Code guid="3" name="elus" isCodable="true" '
                'color="#F0a"/></Code>'
                '<Code guid="4" name="" isCodable="false"><Code guid="5" '
                'name="x: [y]" isCodable="true"/></Code></Codes></CodeBook>')
    out = run('import', 'nvivo.qdc')
    if out.returncode != 0:
        return out.stderr.decode()
    with open(os.path.join(d, 'nvivo.yaml'), 'wb') as f:
        f.write(out.stdout)
    chk = run('codebook', 'show', 'nvivo.yaml')
    if chk.returncode != 0:
        return 'nvivo: %r' % chk.stderr
    ids = chk.stdout.decode()
    for want in ('elus_maires', 'elus_2', 'x_y'):
        if want not in ids:
            return 'no %s in %r' % (want, ids)
    # a colour of three digits (#RGB, which the schema allows) is kept
    if 'color: "#FF00aa"' not in out.stdout.decode():
        return 'the #RGB colour: %r' % out.stdout.decode()
    with open(os.path.join(d, 'bad.qdc'), 'w') as f:
        f.write('<CodeBook><Codes>')
    out = run('import', 'bad.qdc')
    if out.returncode != 1 or b'bad.qdc:' not in out.stderr:
        return 'bad: rc %d %r' % (out.returncode, out.stderr)



def t_import_qdc_deep():
    """A codebook as deep as a codebook may be (31 levels) exports as a
    .qdc that imports back, the same tree; a .qdc one level deeper is
    refused with its line and the limit."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)
    lines, ind = ['name: profond', 'themes:'], '  '
    for i in range(30):
        lines += [ind + 'n%d:' % i, ind + '  terms: [mot%d]' % i,
                  ind + '  children:']
        ind += '    '
    lines += [ind + 'fin:', ind + '  terms: [fin]']
    with open(os.path.join(d, 'deep.yaml'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    if b'31 codes' not in run('codebook', 'check', 'deep.yaml').stdout:
        return 'the codebook of 31 levels does not load'
    ok(run('export', '-f', 'qdc', '-c', 'deep.yaml', '-o', 'deep.qdc'))
    out = run('import', 'deep.qdc', '-o', 'back.yaml')
    if out.returncode != 0:
        return 'import: rc %d %r' % (out.returncode, out.stderr)
    chk = run('codebook', 'check', 'back.yaml')
    if chk.returncode != 0 or b'31 codes' not in chk.stdout:
        return 'back: %r %r' % (chk.stdout, chk.stderr)
    def depth(path):
        n, code = 0, ET.parse(path).getroot().find(C + 'Codes')
        while code.find(C + 'Code') is not None:
            code, n = code.find(C + 'Code'), n + 1
        return n
    ok(run('export', '-f', 'qdc', '-c', 'back.yaml', '-o', 'again.qdc'))
    if depth(os.path.join(d, 'again.qdc')) != 31:
        return 'the tree changed: %d levels' % depth(
            os.path.join(d, 'again.qdc'))
    xml = ['<?xml version="1.0" encoding="utf-8"?>',
           '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>']
    xml += ['<Code guid="%d" name="niveau %d" isCodable="true">' % (i + 1, i)
            for i in range(32)]
    xml += ['</Code>' * 32 + '</Codes></CodeBook>']
    with open(os.path.join(d, 'deeper.qdc'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(xml) + '\n')
    out = run('import', 'deeper.qdc', '-o', 'deeper.yaml')
    if out.returncode != 1 or \
            b'deeper.qdc:34: codes nested more than 30 deep' not in out.stderr:
        return 'deeper: rc %d %r' % (out.returncode, out.stderr)
    if os.path.exists(os.path.join(d, 'deeper.yaml')):
        return 'deeper.yaml written'



def t_import_other_codebook():
    """An archive grille coded with another codebook, imported into a
    project whose codebook codes its documents otherwise: said, with the
    number of documents, as the codings are the project's codebook's now;
    not said into a project of the same codebook, whichever selections
    the export wrote."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a, cwd=d: subprocess.run([G] + list(a),
                                           capture_output=True, cwd=cwd)
    with open(os.path.join(S, 'codebooks', 'riposte.yaml'),
              encoding='utf-8') as f:
        yaml = f.read()
    # one more term: "portables" coded as teletravail
    yaml = yaml.replace('      - télétravail\n', '      - télétravail\n'
                        '      - portables\n', 1)
    with open(os.path.join(d, 'cb2.yaml'), 'w', encoding='utf-8') as f:
        f.write(yaml)
    ok(run('init', '-d', 'w.db', '-c', 'cb2.yaml'))
    ok(run('add', '-d', 'w.db', os.path.join(S, 'corpus')))
    ok(run('export', '-d', 'w.db', '-o', 'hits.qdpx'))
    ok(run('export', '-d', 'w.db', '-s', 'segments', '-o', 'segs.qdpx'))
    ok(run('init', '-d', 'other.db'))
    out = run('import', '-d', 'other.db', 'hits.qdpx')
    err = out.stderr.decode()
    if out.returncode != 0 or 'hits.qdpx: in ' not in err or \
            "the documents added, the codings grille made in the archive " \
            "are not those of this project's codebook (riposte.yaml)" \
            not in err:
        return 'another codebook: %d %r' % (out.returncode, err)
    n = int(err.split('hits.qdpx: in ')[1].split()[0])
    # the documents whose codings the two codebooks tell apart
    con = sqlite3.connect(os.path.join(d, 'w.db'))
    want = con.execute(
        "SELECT count(DISTINCT s.document) FROM codings c JOIN segments s "
        "ON s.id = c.segment WHERE lower(c.term) LIKE 'portable%'"
    ).fetchone()[0]
    con.close()
    if n != want or not n:
        return '%d documents said, %d coded with the new term' % (n, want)
    for arch in ('hits.qdpx', 'segs.qdpx'):
        db = 'same-%s.db' % arch[:4]
        ok(run('init', '-d', db, '-c', 'cb2.yaml'))
        out = run('import', '-d', db, arch)
        if out.returncode != 0 or out.stderr.strip():
            return 'the same codebook, %s: %d %r' % (arch, out.returncode,
                                                     out.stderr)


def t_odd_names():
    """Notes named with Latin-1 bytes, a control character or a tab still
    give a valid project.qde, which grille imports into a new project,
    and into the project it came from as the documents already there
    (the names do not come back as they were, the GUIDs do)."""
    d = tempfile.mkdtemp(dir=TMP)
    dd = d.encode()
    names = (b't\xe9l\xe9travail.txt', b'a\x01b.txt', b'tab\tname.txt')
    for i, name in enumerate(names):
        with open(os.path.join(dd, name), 'wb') as f:
            # a front matter: the source is the body, another text
            f.write(b'---\ntype: commune\n---\n'
                    b'Le t\xc3\xa9l\xc3\xa9travail des agents, %d.\n' % i)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)
    ok(run('init'))
    ok(subprocess.run([G.encode(), b'add'] + list(names),
                      capture_output=True, cwd=d))
    ok(run('export', '-f', 'qdpx', '-o', 'odd.qdpx'))
    with zipfile.ZipFile(os.path.join(d, 'odd.qdpx')) as z, \
            open(os.path.join(d, 'odd.qde'), 'wb') as f:
        f.write(z.read('project.qde'))
    why = xmllint('Project.xsd', os.path.join(d, 'odd.qde'))
    if why and why != 'SKIP':
        return why
    e = tempfile.mkdtemp(dir=TMP)
    ok(subprocess.run([G, 'init'], capture_output=True, cwd=e))
    out = subprocess.run([G, 'import', os.path.join(d, 'odd.qdpx')],
                         capture_output=True, cwd=e)
    if out.returncode != 0 or b'3 documents added' not in out.stdout:
        return 'rc %d %r %r' % (out.returncode, out.stdout, out.stderr)
    out = run('import', 'odd.qdpx')
    if out.returncode != 0 or \
            b'0 documents added, 3 already there' not in out.stdout or \
            out.stderr.strip():
        return 'back: rc %d %r %r' % (out.returncode, out.stdout, out.stderr)
    docs = json.loads(run('list', '-f', 'json').stdout)['documents']
    if len(docs) != 3:
        return 'imported back, %d documents' % len(docs)


LEFT_OUT_QDE = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x">
<Users><User guid="u1" name="Alice"/></Users>
<CodeBook><Codes><Code guid="c1" name="Dossier" isCodable="false">
<Description>a folder</Description>
<Code guid="c2" name="Feuille" isCodable="true"/></Code></Codes></CodeBook>
<Sources><TextSource guid="s1" name="a.txt" plainTextPath="internal://a.txt">
<Description>memo on source</Description>
<PlainTextSelection guid="p1" startPosition="0" endPosition="5"
 creatingUser="u1" creationDateTime="2021-03-04T05:06:07Z">
<Description>memo on selection</Description>
<Coding guid="k1" creatingUser="u1"><CodeRef targetGUID="c2"/></Coding>
<NoteRef targetGUID="n1"/></PlainTextSelection></TextSource></Sources>
<Notes><Note guid="n1" name="Memo 1" plainTextPath="internal://m.txt"/></Notes>
<Sets><Set guid="t1" name="S"><MemberSource targetGUID="s1"/></Set>
<Set guid="t2" name="T"/></Sets></Project>
"""


def t_import_left_out():
    """What a project does not hold (memos, notes, sets) is counted in a
    warning, not dropped without a word; a code's own description is
    kept, and a folder (isCodable="false") is said to become a code."""
    d = tempfile.mkdtemp(dir=TMP)
    with zipfile.ZipFile(os.path.join(d, 'x.qdpx'), 'w') as z:
        z.writestr('project.qde', LEFT_OUT_QDE.encode())
        z.writestr('sources/a.txt', 'Masques et gel.\n'.encode())
        z.writestr('sources/m.txt', 'a memo\n'.encode())
    ok(subprocess.run([G, 'init'], capture_output=True, cwd=d))
    out = ok(subprocess.run([G, 'import', 'x.qdpx'], capture_output=True,
                            cwd=d))
    err = out.stderr.decode()
    want = ['grille: warning: x.qdpx: left out what a grille project does '
            'not hold: 2 memos, 1 note, 2 sets',
            'grille: warning: x.qdpx: 1 code marked not codable (folders) '
            'imported as codes like the others']
    if err.splitlines() != want:
        return 'stderr %r' % err
    if b'1 manual coding, 2 new codes' not in out.stdout:
        return 'stdout %r' % out.stdout
    # the .qdc of that tree: the folder groups its child, no term of its own
    with open(os.path.join(d, 'f.qdc'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                '<Code guid="1" name="Dossier" isCodable="false">'
                '<Code guid="2" name="Feuille" isCodable="true"/></Code>'
                '<Code guid="3" name="Seul" isCodable="false"/>'
                '</Codes></CodeBook>\n')
    ok(subprocess.run([G, 'import', 'f.qdc', '-o', 'f.yaml'],
                      capture_output=True, cwd=d))
    with open(os.path.join(d, 'f.yaml'), encoding='utf-8') as f:
        y = f.read()
    if '"Dossier"\n    # a folder' not in y or 'terms: ["Dossier"]' in y or \
            'terms: ["Feuille"]' not in y or 'terms: ["Seul"]' not in y:
        return 'yaml %r' % y
    chk = subprocess.run([G, 'codebook', 'check', 'f.yaml'],
                         capture_output=True, cwd=d)
    if chk.returncode != 0 or b'3 codes, 2 rules' not in chk.stdout:
        return 'check %r %r' % (chk.stdout, chk.stderr)
    return None


def t_import_bad():
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)
    ok(run('init'))
    with open(os.path.join(d, 'notes.qdpx'), 'w') as f:
        f.write('not a zip')
    with zipfile.ZipFile(os.path.join(d, 'empty.qdpx'), 'w') as z:
        z.writestr('readme.txt', 'x')
    with zipfile.ZipFile(os.path.join(d, 'broken.qdpx'), 'w') as z:
        z.writestr('project.qde', '<Project><Sources>')
    fixture(os.path.join(d, 'good.qdpx'))
    # 88 MB of one sentence: compresses far more than text does
    with zipfile.ZipFile(os.path.join(d, 'bomb.qdpx'), 'w',
                         zipfile.ZIP_DEFLATED) as z:
        z.writestr('project.qde', FIX_QDE.encode('utf-8'))
        z.writestr('sources/s1.txt', b'la sant\xc3\xa9 des agents. ' * 4000000)
    with zipfile.ZipFile(os.path.join(d, 'nosrc.qdpx'), 'w') as z:
        z.writestr('project.qde', FIX_QDE.encode('utf-8'))
    for f, why in (('notes.qdpx', b'not a REFI-QDA project'),
                   ('empty.qdpx', b'no .qde file inside'),
                   ('broken.qdpx', b'not well-formed XML'),
                   ('nosrc.qdpx', b'sources/s1.txt'),
                   ('bomb.qdpx', b'zip bomb'),
                   ('missing.qdpx', b'missing.qdpx')):
        # good.qdpx first: its documents must not survive the failure
        out = run('import', 'good.qdpx', f)
        if out.returncode != 1 or why not in out.stderr or \
                f.encode() not in out.stderr:
            return '%s: rc %d %r' % (f, out.returncode, out.stderr)
    if b'0 documents' not in ok(run('list')).stdout:
        return 'a failed import left documents'



def t_import_qde_encodings_and_limits():
    """A project.qde with a UTF-8 BOM, or in UTF-16 with its BOM, is
    read (the parser finds the encoding in its first bytes); one with a
    text node past libxml2's 10 MB is refused, not imported cut; one cut
    short says in which element it ends."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)
    text = FIX_QDE
    for name, data in (('bom.qdpx', b'\xef\xbb\xbf' + text.encode('utf-8')),
                       ('u16le.qdpx', text.replace('utf-8', 'UTF-16')
                        .encode('utf-16')),
                       ('u16be.qdpx', b'\xfe\xff' + text.replace(
                           'utf-8', 'UTF-16').encode('utf-16-be'))):
        with zipfile.ZipFile(os.path.join(d, name), 'w') as z:
            z.writestr('project.qde', data)
            z.writestr('sources/s1.txt', 'La sant\u00e9 des agents.\n')
        db = fresh(d, name + '.db')
        out = run('import', '-d', db, name)
        if out.returncode != 0:
            return '%s: rc %d %r' % (name, out.returncode, out.stderr)
    big = source('FFFFFFFF-0000-4000-8000-000000000001', 'gros',
                 'la sant\u00e9 des agents. ' * 500000)
    path = archive(d, 'huge.qdpx', qde(big).encode('utf-8'))
    db = fresh(d, 'huge.db')
    out = run('import', '-d', db, path)
    if out.returncode != 1 or b'not well-formed XML' not in out.stderr:
        return 'huge text node: rc %d %r' % (out.returncode, out.stderr)
    if b'0 documents' not in ok(run('list', '-d', db)).stdout:
        return 'a refused import left documents'
    cut = qde(source('FFFFFFFF-0000-4000-8000-000000000002', 'n',
                     'la sant\u00e9'))[:-40]
    path = archive(d, 'cut.qdpx', cut.encode('utf-8'))
    out = run('import', '-d', fresh(d, 'cut.db'), path)
    if out.returncode != 1 or b'ends inside <' not in out.stderr:
        return 'cut short: rc %d %r' % (out.returncode, out.stderr)


# ------------------------------------------ other tools' ways of writing

def qde(sources, users='', codes='', variables='', cases=''):
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
            '<Users>%s</Users><CodeBook><Codes>%s</Codes></CodeBook>'
            '<Variables>%s</Variables><Cases>%s</Cases><Sources>%s</Sources>'
            '</Project>' % (users, codes, variables, cases, sources))


def archive(d, name, text, files=None):
    path = os.path.join(d, name)
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr('project.qde', text)
        for member, body in (files or {}).items():
            z.writestr(member, body)
    return path


def source(guid, name, text, inner=''):
    return ('<TextSource guid="%s" name="%s"><PlainTextContent>%s'
            '</PlainTextContent>%s</TextSource>' % (guid, name, text, inner))


def selection(n, start, end, user, code):
    return ('<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-00000000000%d" '
            'startPosition="%d" endPosition="%d" creatingUser="%s">'
            '<Coding guid="EEEEEEEE-0000-4000-8000-00000000000%d"><CodeRef '
            'targetGUID="%s"/></Coding></PlainTextSelection>'
            % (n, start, end, user, n, code))


def fresh(d, name):
    db = os.path.join(d, name)
    ok(subprocess.run([G, 'init', '-d', db], capture_output=True, cwd=d))
    return db


def t_import_long_coder_names():
    """Two coders whose names differ only past their 600th character,
    coding the same span: two codings, and a second import adds none
    (a coding imported before is known by its coder's whole name)."""
    d = tempfile.mkdtemp(dir=TMP)
    U1, U2, C = ('AAAAAAAA-0000-4000-8000-00000000000%d' % i
                 for i in range(1, 4))
    users = ('<User guid="%s" name="%s"/><User guid="%s" name="%s"/>'
             % (U1, 'x' * 600 + '1', U2, 'x' * 600 + '2'))
    codes = '<Code guid="%s" name="Santé" isCodable="true"/>' % C
    text = 'Premier paragraphe sur la santé.\n\nDeuxième sur le travail.\n'
    path = archive(d, 'long.qdpx', qde(source(
        'BBBBBBBB-0000-4000-8000-000000000001', 'n1', text,
        selection(1, 0, 20, U1, C) + selection(2, 0, 20, U2, C)),
        users, codes))
    db = fresh(d, 'long.db')
    out = subprocess.run([G, 'import', '-d', db, path], capture_output=True,
                         text=True, cwd=d)
    assert out.returncode == 0 and '2 manual codings' in out.stdout, out
    again = subprocess.run([G, 'import', '-d', db, path], capture_output=True,
                           text=True, cwd=d)
    assert again.returncode == 0 and '0 manual codings' in again.stdout, again
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM codings WHERE origin = 'manual'")
    assert n.fetchone()[0] == 2
    con.close()


def t_import_tools_ways():
    """GUIDs in another case or in braces, a second coder of the same
    span, a source's own variables, two sources of one name, a text that
    starts with '---' (and has CRLF line ends)."""
    d = tempfile.mkdtemp(dir=TMP)
    U, U2, C, V = ('AAAAAAAA-0000-4000-8000-00000000000%d' % i
                   for i in range(1, 5))
    users = ('<User guid="%s" name="Ana"/><User guid="%s" name="Bruno"/>'
             % (U, U2))
    code = '<Code guid="%s" name="Masques" isCodable="true"/>' % C
    var = '<Variable guid="%s" name="region" typeOfVariable="Text"/>' % V
    text = "---\nLes masques manquaient \u00e0 l'EHPAD.\r\nSuite.\n"
    # the references in lower case and braces, the elements in upper case
    vv = ('<VariableValue><VariableRef targetGUID="{%s}"/><TextValue>'
          'Bretagne</TextValue></VariableValue>' % V.lower())
    src = source('CCCCCCCC-0000-4000-8000-000000000001', 'itw.txt', text,
                 selection(1, 4, 26, U.lower(), '{%s}' % C.lower()) +
                 selection(2, 4, 26, U2, C) + selection(3, 4, 37, U, C) + vv)
    two = (source('CCCCCCCC-0000-4000-8000-000000000002', 'Entretien',
                  'Le VPN saturait.') +
           source('CCCCCCCC-0000-4000-8000-000000000003', 'Entretien',
                  'Le VPN tenait.'))
    path = archive(d, 'tools.qdpx', qde(src + two, users, code, var))
    db = fresh(d, 'p.db')
    out = subprocess.run([G, 'import', '-d', db, path], capture_output=True,
                         cwd=d)
    if out.returncode != 0:
        return 'import failed: %r' % out.stderr
    con = sqlite3.connect(db)
    names = [r[0] for r in con.execute('SELECT name FROM documents '
                                       'ORDER BY id')]
    if names != ['itw.txt', 'Entretien', 'Entretien (2)']:
        return 'documents %r' % names
    body, = con.execute("SELECT body FROM documents WHERE name = 'itw.txt'"
                        ).fetchone()
    if body != 0:
        return "a text that starts with '---' read as a front matter"
    attrs = con.execute('SELECT key, value FROM attributes').fetchall()
    if attrs != [('region', 'Bretagne')]:
        return "the source's own variable: %r" % attrs
    rows = sorted(con.execute("SELECT coder, term FROM codings WHERE "
                              "origin = 'manual'").fetchall())
    want = [('Ana', 'Les masques manquaient'),
            ('Ana', "Les masques manquaient \u00e0 l'EHPAD."),
            ('Bruno', 'Les masques manquaient')]
    if rows != want:
        return 'manual codings %r, want %r' % (rows, want)
    return None


def t_import_guids_and_refs():
    """Two elements of one GUID: an error naming it and both, nothing
    imported (the first was taken, unsaid: Bob's codings went to Ana, a
    second source's case values to the first); a case's SourceRef or a
    VariableRef to nothing: said, where they were dropped unsaid."""
    d = tempfile.mkdtemp(dir=TMP)
    U, U2, C, V = ('AAAAAAAA-0000-4000-8000-00000000000%d' % i
                   for i in range(1, 5))
    code = '<Code guid="%s" name="Masques" isCodable="true"/>' % C
    src = source('CCCCCCCC-0000-4000-8000-000000000001', 'itw.txt',
                 'Les masques manquaient.', selection(1, 4, 11, U2, C))
    users = ('<User guid="%s" name="Ana"/>\n<User guid="%s" name="Bob"/>'
             % (U, U.lower()))
    path = archive(d, 'dup.qdpx', qde(src, users, code))
    db = fresh(d, 'p.db')
    out = subprocess.run([G, 'import', '-d', db, path], capture_output=True,
                         cwd=d)
    want = ("dup.qdpx/project.qde:3: GUID '%s' is given to two elements, "
            "<User> on line 2 and <User> on line 3" % U.lower())
    if out.returncode != 1 or want not in out.stderr.decode():
        return 'duplicate GUIDs: %d %r' % (out.returncode, out.stderr)
    con = sqlite3.connect(db)
    n = con.execute('SELECT count(*) FROM documents').fetchone()[0]
    con.close()
    if n:
        return 'something was imported'
    # references to nothing
    users = '<User guid="%s" name="Ana"/>' % U
    var = '<Variable guid="%s" name="region" typeOfVariable="Text"/>' % V
    cases = ('<Case guid="BBBBBBBB-0000-4000-8000-000000000001" name="c1">'
             '<VariableValue><VariableRef targetGUID="%s"/><TextValue>'
             'Bretagne</TextValue></VariableValue><SourceRef targetGUID='
             '"CCCCCCCC-0000-4000-8000-000000000009"/></Case>'
             '<Case guid="BBBBBBBB-0000-4000-8000-000000000002" name="c2">'
             '<VariableValue><VariableRef targetGUID="%s"/><TextValue>x'
             '</TextValue></VariableValue><SourceRef targetGUID='
             '"CCCCCCCC-0000-4000-8000-000000000001"/></Case>'
             % (V, U2))
    src = source('CCCCCCCC-0000-4000-8000-000000000001', 'itw.txt',
                 'Les masques manquaient.', selection(1, 4, 11, U, C))
    path = archive(d, 'refs.qdpx', qde(src, users, code, var, cases))
    out = subprocess.run([G, 'import', '-d', db, path], capture_output=True,
                         cwd=d)
    err = out.stderr.decode()
    if out.returncode != 0 or 'refs.qdpx: 2 references to nothing in the ' \
            'archive left out' not in err or "<Case> 'c1': its SourceRef " \
            "'CCCCCCCC-0000-4000-8000-000000000009' names no source" \
            not in err:
        return 'references to nothing: %d %r' % (out.returncode, err)
    # irregularities read as best they could be, said: a second source
    # of one name, renamed; a project in another namespace
    two = (source('CCCCCCCC-0000-4000-8000-000000000002', 'Entretien',
                  'Le VPN saturait.') +
           source('CCCCCCCC-0000-4000-8000-000000000003', 'Entretien',
                  'Le VPN tenait.'))
    text = qde(two).replace('urn:QDA-XML:project:1.0', 'urn:other')
    path = archive(d, 'odd.qdpx', text)
    out = subprocess.run([G, 'import', '-d', fresh(d, 'odd.db'), path],
                         capture_output=True, cwd=d)
    err = out.stderr.decode()
    if out.returncode != 0 or 'odd.qdpx: 2 irregularities read as best ' \
            "they could be; the first: <Project> is in the namespace " \
            "'urn:other'" not in err:
        return 'irregularities: %d %r' % (out.returncode, err)
    # text both inline and in a file: the archive's file is taken, said;
    # a path out of the archive is not read, the inline text is taken,
    # unsaid
    for ref, said, want in (('internal://inner.txt', True, 'dedans'),
                            ('relative://dehors.txt', False, 'ligne')):
        src = ('<TextSource guid="CCCCCCCC-0000-4000-8000-000000000004" '
               'name="both" plainTextPath="%s"><PlainTextContent>En '
               'ligne.</PlainTextContent></TextSource>' % ref)
        path = archive(d, 'both.qdpx', qde(src),
                       {'sources/inner.txt': 'Le texte dedans.'})
        db = fresh(d, 'both-%s.db' % want)
        out = subprocess.run([G, 'import', '-d', db, path],
                             capture_output=True, cwd=d)
        err = out.stderr.decode()
        shown = subprocess.run([G, 'kwic', '-d', db, want],
                               capture_output=True, cwd=d).stdout.decode()
        if out.returncode != 0 or ('1 irregularity read as best it could '
                                   "be: source 'both' has its text both "
                                   'inline' in err) != said or \
                want not in shown:
            return 'both inline and in a file (%s): %d %r %r' % (
                ref, out.returncode, err, shown)
    # a code whose name has no word ("😷"): no term "code", which coded
    # the word code
    with open(os.path.join(d, 'w.qdc'), 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns='
                '"urn:QDA-XML:codebook:1.0"><Codes><Code guid="%s" name='
                '"\U0001F637" isCodable="true"/><Code guid="%s" name="Sant'
                '\u00e9" isCodable="true"/></Codes></CodeBook>' % (U, U2))
    out = subprocess.run([G, 'import', 'w.qdc', '-o', 'w.yaml'],
                         capture_output=True, cwd=d)
    tag = subprocess.run([G, 'tag', '-f', 'csv', '-c', 'w.yaml', '-'],
                         input='Le code du travail, la sant\u00e9.'.encode(),
                         capture_output=True, cwd=d)
    rows = tag.stdout.decode().splitlines()[1:]
    if out.returncode != 0 or tag.returncode != 0 or \
            [r.split(',')[3] for r in rows] != ['sante']:
        return 'a wordless code: %r %r %r' % (out.stderr, tag.stderr, rows)
    return None


def t_import_number_values():
    """IntegerValue and FloatValue in their canonical form: "+1200" is
    1200 and "3.50" 3.5 (they stayed text, and the variable's type with
    them on the next export); a value that is no number stays as it is."""
    d = tempfile.mkdtemp(dir=TMP)
    U, C, V1, V2, V3 = ('AAAAAAAA-0000-4000-8000-00000000000%d' % i
                        for i in range(1, 6))
    users = '<User guid="%s" name="Ana"/>' % U
    code = '<Code guid="%s" name="Masques" isCodable="true"/>' % C
    var = ('<Variable guid="%s" name="population" typeOfVariable="Integer"/>'
           '<Variable guid="%s" name="taux" typeOfVariable="Float"/>'
           '<Variable guid="%s" name="rang" typeOfVariable="Integer"/>'
           % (V1, V2, V3))
    vals = ''.join('<VariableValue><VariableRef targetGUID="%s"/><%s>%s</%s>'
                   '</VariableValue>' % (g, t, v, t) for g, t, v in (
                       (V1, 'IntegerValue', ' +1200 '),
                       (V2, 'FloatValue', '03.50'),
                       (V3, 'IntegerValue', 'douze')))
    src = source('CCCCCCCC-0000-4000-8000-000000000001', 'itw.txt',
                 'Les masques manquaient.', selection(1, 4, 11, U, C) + vals)
    path = archive(d, 'num.qdpx', qde(src, users, code, var))
    db = fresh(d, 'p.db')
    out = subprocess.run([G, 'import', '-d', db, path], capture_output=True,
                         cwd=d)
    if out.returncode != 0:
        return 'import: %r' % out.stderr
    con = sqlite3.connect(db)
    got = dict(con.execute('SELECT key, value FROM attributes'))
    con.close()
    if got != {'population': '1200', 'taux': '3.5', 'rang': 'douze'}:
        return 'values %r' % got
    return None


def t_eval_gold_child():
    """eval --gold-project: a code by hand under a theme of the codebook
    counts for that theme."""
    d = tempfile.mkdtemp(dir=TMP)
    U, C, C2 = ('AAAAAAAA-0000-4000-8000-00000000000%d' % i
                for i in range(1, 4))
    codes = ('<Code guid="%s" name="sante" isCodable="true"><Code guid="%s" '
             'name="Penurie" isCodable="true"/></Code>' % (C, C2))
    src = source('CCCCCCCC-0000-4000-8000-000000000001', 'g.txt',
                 "Les masques manquaient.\n\nLe VPN saturait.\n",
                 selection(1, 4, 11, U, C2))
    path = archive(d, 'gold.qdpx', qde(src, '<User guid="%s" name="Ana"/>'
                                       % U, codes))
    out = subprocess.run([G, 'eval', '--gold-project', path, '-f', 'csv'],
                         capture_output=True, cwd=d)
    if out.returncode != 0:
        return 'eval failed: %r' % out.stderr
    rows = out.stdout.decode().replace('\r', '').split('\n')
    if not any(r.startswith('sante,1,') for r in rows):
        return 'sante not scored from its child: %r' % rows
    return None


def t_import_again_tools_ways():
    """Importing again: two sources of one name land on the same two
    documents (no warning), a third of that name is added; a coding
    without a coder, exported and imported back, is the same one; a
    coding that ends at a CRLF line end has no CR and is not added
    twice."""
    d = tempfile.mkdtemp(dir=TMP)
    e1 = source('CCCCCCCC-0000-4000-8000-000000000002', 'Entretien',
                'Le VPN saturait.')
    e2 = source('CCCCCCCC-0000-4000-8000-000000000003', 'Entretien',
                'Le VPN tenait.')
    e3 = source('CCCCCCCC-0000-4000-8000-000000000004', 'Entretien',
                'Le VPN a lâché.')
    two = archive(d, 'two.qdpx', qde(e1 + e2))
    three = archive(d, 'three.qdpx', qde(e1 + e2 + e3))
    db = fresh(d, 'p.db')
    for path, n in ((two, 2), (two, 2), (three, 3)):
        out = subprocess.run([G, 'import', '-d', db, path],
                             capture_output=True, cwd=d)
        if out.returncode != 0 or b'another name' in out.stderr:
            return 'import of %s: %r' % (os.path.basename(path), out.stderr)
        got = sqlite3.connect(db).execute(
            'SELECT count(*) FROM documents').fetchone()[0]
        if got != n:
            return '%d documents after %s, want %d' % (
                got, os.path.basename(path), n)
    # a note with CRLF line ends, a coding by hand of its first line (its
    # end at the line end) by a user the file does not list (no coder)
    note = os.path.join(d, 'crlf.txt')
    with open(note, 'wb') as f:
        f.write('Les masques manquaient.\r\nLe VPN saturait.\r\n'.encode())
    db2 = fresh(d, 'q.db')
    ok(subprocess.run([G, 'add', '-d', db2, note], capture_output=True,
                      cwd=d))
    ok(subprocess.run([G, 'export', '-d', db2, '-f', 'qdpx', '-o', 'q.qdpx'],
                      capture_output=True, cwd=d))
    with zipfile.ZipFile(os.path.join(d, 'q.qdpx')) as z:
        names = z.namelist()
        files = {n: z.read(n) for n in names}
    qn = [n for n in names if n.endswith('.qde')][0]
    text = files[qn].decode()
    code = re.search(r'<Code guid="([^"]+)"', text).group(1)
    sel = ('<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-000000000009" '
           'startPosition="0" endPosition="23" creatingUser="'
           'FFFFFFFF-0000-4000-8000-000000000009"><Coding guid="EEEEEEEE-'
           '0000-4000-8000-000000000009"><CodeRef targetGUID="%s"/></Coding>'
           '</PlainTextSelection></TextSource>' % code)
    text = text.replace('</TextSource>', sel, 1)
    files[qn] = text.encode()
    with zipfile.ZipFile(os.path.join(d, 'hand.qdpx'), 'w') as z:
        for n in names:
            z.writestr(n, files[n])
    for what in ('hand.qdpx', 'hand.qdpx'):
        ok(subprocess.run([G, 'import', '-d', db2, what],
                          capture_output=True, cwd=d))
    ok(subprocess.run([G, 'export', '-d', db2, '-f', 'qdpx', '-o',
                       'back.qdpx'], capture_output=True, cwd=d))
    ok(subprocess.run([G, 'import', '-d', db2, 'back.qdpx'],
                      capture_output=True, cwd=d))
    rows = sqlite3.connect(db2).execute(
        "SELECT coder, start, \"end\", term FROM codings WHERE origin = "
        "'manual'").fetchall()
    if rows != [(None, 0, 23, 'Les masques manquaient.')]:
        return 'manual codings %r' % rows
    return None

def t_number_texts():
    """Values whose text a number would not give back (postcodes, a
    département 05, -0, 1.50) make their variable Text; plain numbers
    stay typed."""
    d = os.path.join(TMP, 'zeros')
    os.makedirs(d)
    for i in (1, 2):
        with open(os.path.join(d, 'z%d.md' % i), 'w') as f:
            f.write('---\ncp: "0%d000"\ndep: "0%d"\npop: "%d200"\n'
                    'prix: "1.%d0"\npart: "0.%d"\nsolde: "-%d"\n'
                    'zero: "-0"\n---\nLe maire parle.\n' % ((i,) * 6))
    db = os.path.join(d, 'z.db')
    ok(grille('init', '-d', db))
    ok(grille('add', '-d', db, d))
    ok(grille('export', '-d', db, '-f', 'qdpx', '-o', os.path.join(d, 'z.qdpx')))
    with zipfile.ZipFile(os.path.join(d, 'z.qdpx')) as z:
        root = ET.fromstring(z.read('project.qde'))
    types = {v.get('name'): v.get('typeOfVariable')
             for v in root.iter(P + 'Variable')}
    want = {'cp': 'Text', 'dep': 'Text', 'pop': 'Integer', 'prix': 'Text',
            'part': 'Float', 'solde': 'Integer', 'zero': 'Text'}
    if {k: types.get(k) for k in want} != want:
        return 'types %r' % types
    return None


def t_blank_values_keep_types():
    """A note without a value for a typed variable (population: alone,
    d: ~) leaves the variable typed: the case has no value of it, not an
    empty text that would make the whole column Text."""
    d = os.path.join(TMP, 'blanktypes')
    os.makedirs(d)
    with open(os.path.join(d, 'a.md'), 'w') as f:
        f.write('---\npopulation: 1250\nd: 2020-01-01\nt: x\n---\nmasque\n')
    with open(os.path.join(d, 'b.md'), 'w') as f:
        f.write('---\npopulation:\nd: ~\nt:\n---\nmasque\n')
    db = os.path.join(d, 'x.db')
    ok(grille('init', '-d', db))
    ok(grille('add', '-d', db, d))
    qdpx = os.path.join(d, 'x.qdpx')
    ok(grille('export', '-d', db, '-f', 'qdpx', '-o', qdpx))
    with zipfile.ZipFile(qdpx) as z:
        root = ET.fromstring(z.read('project.qde'))
    types = {v.get('name'): v.get('typeOfVariable')
             for v in root.iter(P + 'Variable')}
    if types != {'population': 'Integer', 'd': 'Date', 't': 'Text'}:
        return 'types %r' % types
    guids = {v.get('guid'): v.get('name') for v in root.iter(P + 'Variable')}
    cases = {}
    for c in root.iter(P + 'Case'):
        cases[c.get('name')] = sorted(
            (guids[vv.find(P + 'VariableRef').get('targetGUID')],
             vv[1].tag[len(P):], vv[1].text or '')
            for vv in c.iter(P + 'VariableValue'))
    want = {'a.md': [('d', 'DateValue', '2020-01-01'),
                     ('population', 'IntegerValue', '1250'),
                     ('t', 'TextValue', 'x')],
            'b.md': [('t', 'TextValue', '')]}
    if cases != want:
        return 'cases %r' % cases
    return None


def t_control_chars_round_trip():
    """A value with control characters (pasted from a PDF) is stored with
    spaces, as the export writes it: importing the export changes
    nothing."""
    d = os.path.join(TMP, 'controls')
    os.makedirs(d)
    with open(os.path.join(d, 'c.md'), 'w') as f:
        f.write('---\ntype: "com\\x01mune"\nnote: "x\\x0cy\\x01"\n---\n'
                'Le maire parle.\n')
    db = os.path.join(d, 'c.db')
    ok(grille('init', '-d', db))
    ok(grille('add', '-d', db, os.path.join(d, 'c.md')))
    attrs = json.loads(ok(grille('list', '-d', db, '-f', 'json')).stdout)[
        'documents'][0]['attributes']
    if attrs != {'type': 'com mune', 'note': 'x y'}:
        return 'stored %r' % attrs
    ok(grille('export', '-d', db, '-f', 'qdpx', '-o', os.path.join(d, 'c.qdpx')))
    out = ok(grille('import', '-d', db, os.path.join(d, 'c.qdpx')))
    if b'1 already there, 0 attributes' not in out.stdout:
        return 'import: %r' % out.stdout
    return None


def t_blank_values_round_trip():
    """A key with no value ("role:" alone in a front matter) is exported
    as an empty TextValue and comes back into a new project as a key with
    no value, not dropped; into the same project, it changes nothing."""
    d = os.path.join(TMP, 'blanks')
    os.makedirs(d)
    with open(os.path.join(d, 'b.md'), 'w') as f:
        f.write('---\ntype: commune\nrole: ""\nregion:\n---\n'
                'Le maire parle.\n')
    db, db2 = os.path.join(d, 'b.db'), os.path.join(d, 'b2.db')
    ok(grille('init', '-d', db))
    ok(grille('add', '-d', db, os.path.join(d, 'b.md')))
    want = {'type': 'commune', 'role': '', 'region': ''}
    attrs = json.loads(ok(grille('list', '-d', db, '-f', 'json')).stdout)[
        'documents'][0]['attributes']
    if attrs != want:
        return 'stored %r' % attrs
    qdpx = os.path.join(d, 'b.qdpx')
    ok(grille('export', '-d', db, '-f', 'qdpx', '-o', qdpx))
    ok(grille('init', '-d', db2))
    out = ok(grille('import', '-d', db2, qdpx))
    if b'3 attributes' not in out.stdout:
        return 'import: %r' % out.stdout
    attrs = json.loads(ok(grille('list', '-d', db2, '-f', 'json')).stdout)[
        'documents'][0]['attributes']
    if attrs != want:
        return 'imported %r' % attrs
    out = ok(grille('import', '-d', db, qdpx))
    if b'1 already there, 0 attributes' not in out.stdout:
        return 'import again: %r' % out.stdout
    return None


def t_selections_segments():
    """--selections segments: each coded segment once per code of its
    codings, its whole text selected (the passage a coder would code), in
    code points of the source; valid; two exports the same bytes."""
    for n in ('seg.qdpx', 'seg2.qdpx'):
        ok(grille('export', '--selections', 'segments', '-o', n))
    with open(os.path.join(TMP, 'seg.qdpx'), 'rb') as f1, \
            open(os.path.join(TMP, 'seg2.qdpx'), 'rb') as f2:
        if f1.read() != f2.read():
            return 'two exports differ'
    z = zipfile.ZipFile(os.path.join(TMP, 'seg.qdpx'))
    with open(os.path.join(TMP, 'seg.qde'), 'wb') as f:
        f.write(z.read('project.qde'))
    why = xmllint('Project.xsd', os.path.join(TMP, 'seg.qde'))
    if why and why != 'SKIP':
        return why
    root = ET.fromstring(z.read('project.qde'))
    con = sqlite3.connect(os.path.join(TMP, 'grille.db'))
    want = {}
    for name, text, gs, ge in con.execute(
            'SELECT DISTINCT d.name, d.text, g.start, g."end" FROM codings c '
            'JOIN segments g ON g.id = c.segment JOIN documents d ON d.id = '
            'g.document JOIN codes k ON k.id = c.code'):
        raw = text.encode() if isinstance(text, str) else text
        seg = raw[gs:ge].decode().replace('\r\n', '\n').replace('\r', '\n')
        want.setdefault(name, []).append(seg)
    pairs = con.execute('SELECT count(*) FROM (SELECT DISTINCT segment, code '
                        'FROM codings)').fetchone()[0]
    con.close()
    n = 0
    for src in root.iter(P + 'TextSource'):
        t = z.read('sources/' + src.get('plainTextPath')[11:]).decode()
        for sel in src.iter(P + 'PlainTextSelection'):
            got = t[int(sel.get('startPosition')):int(sel.get('endPosition'))]
            if got not in want.get(src.get('name'), []):
                return '%s: %r is no coded segment' % (src.get('name'), got)
            n += 1
    if n != pairs or n >= len(CODINGS):
        return '%d selections, %d segment-code pairs, %d codings' % (
            n, pairs, len(CODINGS))
    for args, say in ((['--selections', 'words'], b'hits or segments'),
                      (['-f', 'csv', '--selections', 'segments'],
                       b'goes with -f qdpx only')):
        out = grille('export', '-o', 'x.out', *args)
        if out.returncode != 2 or say not in out.stderr:
            return '%r: %d %r' % (args, out.returncode, out.stderr)
    return None


def export_note(folder, name, text):
    """A project of one note (text, written as UTF-8) in TMP/folder,
    exported: the project, the archive, its TextSource element and the
    bytes of its source."""
    d = os.path.join(TMP, folder)
    os.makedirs(d)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(text.encode())
    db = os.path.join(d, 'p.db')
    ok(grille('init', '-d', db))
    ok(grille('add', '-d', db, os.path.join(d, name)))
    qdpx = os.path.join(d, 'p.qdpx')
    ok(grille('export', '-d', db, '-f', 'qdpx', '-o', qdpx))
    with zipfile.ZipFile(qdpx) as z:
        root = ET.fromstring(z.read('project.qde'))
        src = next(root.iter(P + 'TextSource'))
        raw = z.read('sources/' + src.get('plainTextPath')[11:])
    return db, qdpx, src, raw


def t_lone_cr_source():
    """A note whose lines end with a CR alone (an old Mac file): its
    source has LF line ends, its selections are the coded words, and
    importing the export back changes nothing."""
    db, qdpx, src, raw = export_note(
        'lonecr', 'cr.txt', 'Le maire\r\rLe télétravail\rfin VPN\r')
    text = raw.decode()
    if text != 'Le maire\n\nLe télétravail\nfin VPN\n':
        return 'source %r' % text
    got = sorted(text[int(s.get('startPosition')):int(s.get('endPosition'))]
                 for s in src.iter(P + 'PlainTextSelection'))
    if got != ['VPN', 'maire', 'télétravail']:
        return 'selections %r' % got
    out = ok(grille('import', '-d', db, qdpx))
    if b'0 documents added, 1 already there' not in out.stdout:
        return 'import back: %r' % out.stdout
    return None


def t_feff_body():
    """A note whose body starts with U+FEFF after its front matter: its
    source has a mark of its own before it, so that a reader that drops
    the mark keeps the character and the positions; importing the export
    back changes nothing (it said 'a different document has this name')."""
    db, qdpx, src, raw = export_note(
        'feffbody', 'a.txt',
        '---\r\ntype: commune\r\n---\r\n\ufeffLe maire.\r\n')
    d = os.path.dirname(db)
    if raw != '\ufeff\ufeffLe maire.\n'.encode():
        return 'source %r' % raw
    text = raw.decode('utf-8-sig')  # the mark dropped, as readers do
    got = [text[int(s.get('startPosition')):int(s.get('endPosition'))]
           for s in src.iter(P + 'PlainTextSelection')]
    if got != ['maire']:
        return 'selections %r' % got
    out = ok(grille('import', '-d', db, qdpx))
    if b'0 documents added, 1 already there' not in out.stdout:
        return 'import back: %r' % out.stdout
    fresh = os.path.join(d, 'b.db')
    ok(grille('init', '-d', fresh))
    ok(grille('import', '-d', fresh, qdpx))
    con = sqlite3.connect(fresh)
    rows = con.execute("SELECT CAST(substr(text, body + 1) AS BLOB) FROM "
                       "documents").fetchall()
    con.close()
    if rows != [('\ufeffLe maire.\n'.encode(),)]:
        return 'imported into a new project: %r' % rows
    return None


def t_blank_source_name():
    """A source named with spaces alone is named after its GUID, as one
    with no name (a document no one could name otherwise; reading the
    name as none freed libxml2's string wrongly in a first attempt)."""
    d = os.path.join(TMP, 'blankname')
    os.makedirs(d)
    qdpx = os.path.join(d, 'b.qdpx')
    with zipfile.ZipFile(qdpx, 'w') as z:
        z.writestr('project.qde', '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
                   '<Sources><TextSource guid="g1" name="  " '
                   'plainTextPath="internal://a.txt"/></Sources></Project>')
        z.writestr('sources/a.txt', 'Le maire.\n')
    db = os.path.join(d, 'b.db')
    ok(grille('init', '-d', db))
    ok(grille('import', '-d', db, qdpx))
    con = sqlite3.connect(db)
    names = con.execute('SELECT name FROM documents').fetchall()
    con.close()
    if names != [('g1',)]:
        return 'names %r' % names
    return None


def t_same_name_sources_hash():
    """Two sources named '#1' in a project whose document #1 is another:
    'name (2)' for the second, as for any name (the lookup of the clash
    read '#1' as a document's number, and the import failed)."""
    d = os.path.join(TMP, 'samehash')
    os.makedirs(d)
    with open(os.path.join(d, 'a.md'), 'w') as f:
        f.write('Le maire a appelé.\n')
    db = os.path.join(d, 'p.db')
    ok(grille('init', '-d', db))
    ok(grille('add', '-d', db, os.path.join(d, 'a.md')))
    qdpx = os.path.join(d, 's.qdpx')
    with zipfile.ZipFile(qdpx, 'w') as z:
        z.writestr('project.qde', '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
                   '<Sources><TextSource guid="s1" name="#1" plainTextPath='
                   '"internal://s1.txt"/><TextSource guid="s2" name="#1" '
                   'plainTextPath="internal://s2.txt"/></Sources></Project>')
        z.writestr('sources/s1.txt', 'Premier texte sur le vélo.\n')
        z.writestr('sources/s2.txt', 'Second texte, autre chose.\n')
    ok(grille('import', '-d', db, qdpx))
    con = sqlite3.connect(db)
    names = sorted(n for (n,) in con.execute('SELECT name FROM documents'))
    con.close()
    if names != ['#1', '#1 (2)', 'a.md']:
        return 'names %r' % names
    return None


def t_eval_unread_texts():
    """eval --gold-project scores the texts someone coded by hand, and
    says how many it left out (it was silent)."""
    d = os.path.join(TMP, 'unread')
    os.makedirs(d)
    qdpx = os.path.join(d, 'g.qdpx')
    sel = ('<PlainTextSelection guid="p1" startPosition="3" endPosition="8" '
           'creatingUser="u1"><Coding guid="k1" creatingUser="u1"><CodeRef '
           'targetGUID="c1"/></Coding></PlainTextSelection>')
    with zipfile.ZipFile(qdpx, 'w') as z:
        z.writestr('project.qde', '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
                   '<Users><User guid="u1" name="Alice"/></Users>'
                   '<CodeBook><Codes><Code guid="c1" name="sante"/></Codes>'
                   '</CodeBook><Sources><TextSource guid="s1" name="a.txt" '
                   'plainTextPath="internal://a.txt">%s</TextSource>'
                   '<TextSource guid="s2" name="b.txt" plainTextPath='
                   '"internal://b.txt"/></Sources></Project>' % sel)
        z.writestr('sources/a.txt', 'La santé des agents.\n')
        z.writestr('sources/b.txt', 'Le maire parle de santé.\n')
    out = grille('eval', '--gold-project', qdpx)
    if out.returncode != 0:
        return 'rc %d %r' % (out.returncode, out.stderr)
    if (b'1 text with no coding by hand, not scored' not in out.stderr or
            b'of 1 document' not in out.stdout):
        return 'stderr %r stdout %r' % (out.stderr, out.stdout[:200])
    return None


def t_hostile_archives():
    """Entities declared in a DOCTYPE are refused (expanded later, one
    entity used many times made gigabytes); a case of many sources gives
    each its values, the source's own last; codes whose names make one key
    get keys of their own."""
    d = os.path.join(TMP, 'hostile')
    os.makedirs(d)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)
    def qdpx(name, body, dtd=''):
        with zipfile.ZipFile(os.path.join(d, name), 'w',
                             zipfile.ZIP_DEFLATED) as z:
            z.writestr('project.qde', '<?xml version="1.0" encoding="utf-8"?>'
                       '\n' + dtd + '<Project xmlns="urn:QDA-XML:project:1.0"'
                       ' name="T">' + body + '</Project>')
    dtd = '<!DOCTYPE Project [<!ENTITY a "%s">]>\n' % ('A' * 1000)
    qdpx('ent.qdpx', '<Sources><TextSource guid="s" name="m.txt">'
         '<PlainTextContent>%s</PlainTextContent></TextSource></Sources>'
         % ('&a;' * 100), dtd)
    ok(run('init', '-d', 'h.db'))
    out = run('import', '-d', 'h.db', 'ent.qdpx')
    if out.returncode != 1 or b'declares entities' not in out.stderr:
        return 'entities: %d %r' % (out.returncode, out.stderr)
    with open(os.path.join(d, 'ent.qdc'), 'w') as f:
        f.write('<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY a '
                '"xx">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                '<Code guid="1" name="&a;" isCodable="true"/></Codes>'
                '</CodeBook>')
    out = run('import', 'ent.qdc')
    if out.returncode != 1 or b'declares entities' not in out.stderr:
        return 'qdc entities: %d %r' % (out.returncode, out.stderr)
    # one case, three sources, two values; the third source's own value
    srcs = ''.join('<TextSource guid="S%d" name="n%d.txt"><PlainTextContent>'
                   'Le maire %d.</PlainTextContent>%s</TextSource>'
                   % (i, i, i, '<VariableValue><VariableRef targetGUID='
                      '"{V1}"/><TextValue>epci</TextValue></VariableValue>'
                      if i == 2 else '') for i in range(3))
    qdpx('cases.qdpx', '<Sources>%s</Sources><Variables>'
         '<Variable guid="v1" name="type" typeOfVariable="Text"/>'
         '<Variable guid="v2" name="region" typeOfVariable="Text"/>'
         '</Variables><Cases><Case guid="k"><VariableValue><VariableRef '
         'targetGUID="V1"/><TextValue>commune</TextValue></VariableValue>'
         '<VariableValue><VariableRef targetGUID="v2"/><TextValue>Occitanie'
         '</TextValue></VariableValue>%s</Case></Cases>'
         % (srcs, ''.join('<SourceRef targetGUID="{s%d}"/>' % i
                          for i in range(3))))
    ok(run('import', '-d', 'h.db', 'cases.qdpx'))
    docs = json.loads(ok(run('list', '-d', 'h.db', '-f', 'json')).stdout)
    got = {x['name']: x['attributes'] for x in docs['documents']}
    want = {'n0.txt': {'type': 'commune', 'region': 'Occitanie'},
            'n1.txt': {'type': 'commune', 'region': 'Occitanie'},
            'n2.txt': {'type': 'epci', 'region': 'Occitanie'}}
    if got != want:
        return 'case values %r' % got
    # names that make the key "a" (and "a 2".. that make a_2..): keys of
    # their own, in the project and in a codebook
    names = ['a' + c for c in '!#$%()*+,-.:;=?@[]^{|}~'] + \
        ['a %d' % i for i in range(2, 30)]
    codes = ''.join('<Code guid="c%d" name="%s" isCodable="true"/>' % (i, n)
                    for i, n in enumerate(names))
    qdpx('codes.qdpx', '<CodeBook><Codes>%s</Codes></CodeBook>' % codes)
    ok(run('init', '-d', 'c.db'))
    out = ok(run('import', '-d', 'c.db', 'codes.qdpx'))
    if b'%d new codes' % len(names) not in out.stdout:
        return 'codes: %r' % out.stdout
    with open(os.path.join(d, 'codes.qdc'), 'w') as f:
        f.write('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>%s'
                '</Codes></CodeBook>' % codes)
    ok(run('import', 'codes.qdc', '-o', 'codes.yaml'))
    chk = run('codebook', 'check', 'codes.yaml')
    if chk.returncode != 0 or b'%d themes' % len(names) not in chk.stdout:
        return 'qdc codes: %r %r' % (chk.stdout, chk.stderr)
    return None


def t_import_audit():
    """From an audit of the import: a text starting with U+FEFF after its
    mark, a blank value, two values of one key, codes whose names look
    like made ids, a selection in no segment, a .qdc not in UTF-8 or with
    a code named like a theme's key, and the first XML error."""
    d = os.path.join(TMP, 'audit')
    os.makedirs(d)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True, cwd=d)

    def qdpx(name, text, sels='', codes='<Code guid="c1" name="Alpha"/>',
             extra=''):
        sel = ''.join(
            '<PlainTextSelection guid="s%d" startPosition="%d" '
            'endPosition="%d" creatingUser="u1"><Coding guid="k%d" '
            'creatingUser="u1"><CodeRef targetGUID="%s"/></Coding>'
            '</PlainTextSelection>' % (i, a, b, i, c)
            for i, (a, b, c) in enumerate(sels))
        with zipfile.ZipFile(os.path.join(d, name), 'w') as z:
            z.writestr('project.qde', '<?xml version="1.0" encoding="UTF-8"?>'
                       '<Project xmlns="urn:QDA-XML:project:1.0" name="t">'
                       '<Users><User guid="u1" name="Alice"/></Users>'
                       '<CodeBook><Codes>%s</Codes></CodeBook>%s<Sources>'
                       '<TextSource guid="g1" name="a.txt" plainTextPath='
                       '"internal://a.txt">%s</TextSource></Sources>'
                       '</Project>' % (codes, extra, sel))
            z.writestr('sources/a.txt', text)

    def db(name):
        ok(run('init', '-d', name))
        return sqlite3.connect(os.path.join(d, name))

    def region(archive):
        """Imports archive into a new project: its documents' regions,
        and what the import said."""
        con = db(archive.replace('.qdpx', '.db'))
        out = ok(run('import', '-d', archive.replace('.qdpx', '.db'),
                     archive))
        return con.execute("SELECT value FROM attributes WHERE key = "
                           "'region'").fetchall(), out.stdout

    # U+FEFF after the mark: kept, positions on it, no letter split
    qdpx('feff.qdpx', '\ufeff\ufeffééé fin.\n'.encode(),
         [(0, 2, 'c1'), (1, 3, 'c1')])
    con = db('feff.db')
    ok(run('import', '-d', 'feff.db', 'feff.qdpx'))
    rows = con.execute("SELECT start, \"end\", CAST(term AS BLOB) FROM "
                       "codings WHERE origin = 'manual' ORDER BY start, "
                       "\"end\"").fetchall()
    if rows != [(3, 5, 'é'.encode()), (3, 7, 'éé'.encode())]:
        return 'U+FEFF: %r' % rows
    # a blank value is none; two values of one key at one level refused
    var = ('<Variables><Variable guid="v1" name="region" typeOfVariable='
           '"Text"/><Variable guid="v2" name="Région" typeOfVariable="Text"/>'
           '</Variables>')
    case = ('<Cases><Case guid="k"><VariableValue><VariableRef targetGUID='
            '"v1"/><TextValue>%s</TextValue></VariableValue>%s<SourceRef '
            'targetGUID="g1"/></Case></Cases>')
    qdpx('blank.qdpx', b'Le maire.\n', extra=var + case % ('   ', ''))
    con = db('blank.db')
    ok(run('import', '-d', 'blank.db', 'blank.qdpx'))  # the document
    ok(run('attr', 'set', '-d', 'blank.db', 'a.txt', 'region=Occitanie'))
    ok(run('import', '-d', 'blank.db', 'blank.qdpx'))
    rows = con.execute('SELECT value FROM attributes WHERE key = '
                       "'region'").fetchall()
    if rows != [('Occitanie',)]:
        return 'a blank value wiped the attribute: %r' % rows
    # values that disagree at one level are kept together; the source's
    # own value stands over its cases'
    qdpx('two.qdpx', b'Le maire.\n', extra=var + case % (
        'Bretagne', '<VariableValue><VariableRef targetGUID="v2"/>'
        '<TextValue>Occitanie</TextValue></VariableValue>'))
    rows, said = region('two.qdpx')
    if rows != [('Bretagne / Occitanie',)] or b'1 attribute' not in said:
        return 'two values: %r %r' % (rows, said)
    group = ('<Cases><Case guid="p1"><VariableValue><VariableRef targetGUID='
             '"v1"/><TextValue>femme</TextValue></VariableValue><SourceRef '
             'targetGUID="g1"/></Case><Case guid="p2"><VariableValue>'
             '<VariableRef targetGUID="v1"/><TextValue>homme</TextValue>'
             '</VariableValue><SourceRef targetGUID="g1"/></Case></Cases>')
    qdpx('group.qdpx', b'Le maire.\n', extra=var + group)
    rows, said = region('group.qdpx')
    if rows != [('femme / homme',)]:
        return 'a source in two cases: %r' % rows
    many = ''.join('<Case guid="m%d"><VariableValue><VariableRef '
                   'targetGUID="v1"/><TextValue>%s</TextValue></VariableValue>'
                   '<SourceRef targetGUID="g1"/></Case>'
                   % (i, 'Bretagne' if i == 1 else 'bretagne ' if i == 2
                      else 'v%d' % i) for i in range(12))
    qdpx('many.qdpx', b'Le maire.\n', extra=var + '<Cases>%s</Cases>' % many)
    rows, said = region('many.qdpx')
    if rows != [('v0 / Bretagne / v3 / v4 / v5 / v6 / v7 / v8 / \u2026',)]:
        return 'a source in twelve cases: %r' % rows
    with zipfile.ZipFile(os.path.join(d, 'own.qdpx'), 'w') as z:
        with zipfile.ZipFile(os.path.join(d, 'group.qdpx')) as src:
            qde = src.read('project.qde').decode()
            z.writestr('project.qde', qde.replace(
                'plainTextPath="internal://a.txt">', 'plainTextPath='
                '"internal://a.txt"><VariableValue><VariableRef targetGUID='
                '"v1"/><TextValue>mixte</TextValue></VariableValue>'))
            z.writestr('sources/a.txt', src.read('sources/a.txt'))
    rows, said = region('own.qdpx')
    if rows != [('mixte',)] or b'1 attribute' not in said:
        return 'the source\'s own value: %r %r' % (rows, said)
    # codes whose names make ids alike stay three codes
    qdpx('codes.qdpx', b'Un projet.\n', [(0, 2, 'a'), (3, 9, 'b'),
                                          (0, 9, 'c')],
         '<Code guid="a" name="Projet"/><Code guid="b" name="Projet !"/>'
         '<Code guid="c" name="projet_2"/>')
    con = db('codes.db')
    for _ in range(2):
        ok(run('import', '-d', 'codes.db', 'codes.qdpx'))
    rows = con.execute('SELECT label, count(g.id) FROM codes c LEFT JOIN '
                       'codings g ON g.code = c.id WHERE c.in_codebook = 0 '
                       'GROUP BY c.id ORDER BY label').fetchall()
    if rows != [('Projet', 1), ('Projet !', 1), ('projet_2', 1)]:
        return 'codes: %r' % rows
    # and across imports: "Projet !" first, then "Projet"
    qdpx('one.qdpx', b'Un projet.\n', [(3, 9, 'b')],
         '<Code guid="b" name="Projet !"/>')
    qdpx('other.qdpx', b'Un projet.\n', [(0, 2, 'a')],
         '<Code guid="a" name="Projet"/>')
    con = db('apart.db')
    ok(run('import', '-d', 'apart.db', 'one.qdpx'))
    ok(run('import', '-d', 'apart.db', 'other.qdpx'))
    rows = con.execute('SELECT label FROM codes WHERE in_codebook = 0 '
                       'ORDER BY label').fetchall()
    if rows != [('Projet',), ('Projet !',)]:
        return 'codes of two imports: %r' % rows
    # a selection in no segment is named in the warning
    qdpx('blank-line.qdpx', b'Un.\n\nDeux.\n', [(3, 5, 'c1')])
    db('blank-line.db')
    out = ok(run('import', '-d', 'blank-line.db', 'blank-line.qdpx'))
    if b"the first: source 'a.txt', selection '3' to '5' (GUID s0): in no segment" \
            not in out.stderr:
        return 'no segment: %r' % out.stderr
    # a .qdc in ISO-8859-1 or UTF-16, a code named Description
    body = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="a"'
            ' name="Santé"/><Code guid="b" name="Description"/></Codes>'
            '</CodeBook>')
    for name, enc, decl in (('l1.qdc', 'latin-1', 'ISO-8859-1'),
                            ('u16.qdc', 'utf-16', 'UTF-16')):
        with open(os.path.join(d, name), 'wb') as f:
            f.write(('<?xml version="1.0" encoding="%s"?>' % decl + body)
                    .encode(enc))
        ok(run('import', name, '-o', name + '.yaml'))
        y = open(os.path.join(d, name + '.yaml'), encoding='utf-8').read()
        if 'label: "Santé"' not in y or '"description_2":' not in y:
            return '%s: %s' % (name, y)
        ok(run('codebook', 'check', name + '.yaml'))
    # the first XML error, at its line
    with open(os.path.join(d, 'lt.qdc'), 'w') as f:
        f.write('<?xml version="1.0"?>\n<CodeBook>\n<Codes>\n<Code guid="a" '
                'name="a<b"/>\n</Codes>\n</CodeBook>\n')
    out = run('import', 'lt.qdc', '-o', 'lt.yaml')
    if out.returncode != 1 or b"lt.qdc:4: not well-formed XML: Unescaped " \
            b"'<'" not in out.stderr:
        return 'first XML error: %r' % out.stderr
    return None


# The small archives of the tests below: a project.qde of `body` (its
# Users, CodeBook and Sources), a user u1 and a code c1, and `files`
# (name -> bytes) beside it.
SMALL_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><Project xmlns='
              '"urn:QDA-XML:project:1.0" name="t"><Users><User guid="u1" '
              'name="Alice"/></Users><CodeBook><Codes><Code guid="c1" '
              'name="Alpha" isCodable="true"/></Codes></CodeBook>')


def small_qdpx(path, sources, files=(), qde=('project.qde',)):
    with zipfile.ZipFile(path, 'w') as z:
        for name in qde:
            z.writestr(name, SMALL_HEAD + '<Sources>%s</Sources></Project>'
                       % sources)
        for name, data in files:
            z.writestr(name, data)


def small_source(name, selections=''):
    """A TextSource whose text is sources/<name> of the archive."""
    return ('<TextSource guid="g-%s" name="%s" plainTextPath="internal://'
            '%s">%s</TextSource>' % (name, name, name, selections))


def t_import_error_paths():
    """A source's bytes refused (a NUL, invalid UTF-8) are named after the
    archive as typed, its folder included, then the source."""
    d = tempfile.mkdtemp(dir=TMP)
    os.makedirs(os.path.join(d, 'sub'))
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)
    ok(run('init', '-d', 'p.db'))
    for archive, data, want in (
            ('nul', b'Le m\x00aire.\n',
             b'grille: sub/nul.qdpx:n.txt: NUL byte at byte 4'),
            ('bad', b'\xc3\xa9t\xc3\xa9 \xc3(\n',
             b'grille: sub/bad.qdpx:n.txt:1:5: invalid UTF-8 at byte 6')):
        small_qdpx(os.path.join(d, 'sub', archive + '.qdpx'),
                   small_source('n.txt'), [('sources/n.txt', data)])
        out = run('import', '-d', 'p.db', 'sub/%s.qdpx' % archive)
        if out.returncode != 1 or want not in out.stderr:
            return '%s: %d %r' % (archive, out.returncode, out.stderr)
    return None


def t_import_two_qde():
    """Two .qde at the top of an archive: refused, naming the archive and
    both, the project left as it was; a .qde in a folder is not one."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)
    ok(run('init', '-d', 'p.db'))
    files = [('sources/n.txt', b'Le maire.\n')]
    small_qdpx(os.path.join(d, 'one.qdpx'), small_source('n.txt'),
               files + [('old/project.qde', b'<Project/>')])
    ok(run('import', '-d', 'p.db', 'one.qdpx'))
    con = sqlite3.connect(os.path.join(d, 'p.db'))
    snap = lambda: [con.execute('SELECT * FROM %s ORDER BY 1' % t).fetchall()
                    for t in ('documents', 'attributes', 'codes', 'codings')]
    before = snap()
    small_qdpx(os.path.join(d, 'two.qdpx'),
               small_source('n.txt') + small_source('m.txt'),
               files + [('sources/m.txt', b'Le DGS.\n')],
               qde=('project.qde', 'Copie.QDE'))
    out = run('import', '-d', 'p.db', 'two.qdpx')
    want = (b"grille: two.qdpx: two projects (.qde files) inside, "
            b"'project.qde' and 'Copie.QDE'")
    if out.returncode != 1 or want not in out.stderr:
        return '%d %r' % (out.returncode, out.stderr)
    if snap() != before:
        return 'the project changed'
    return None


def small_selection(i, start, end, code='c1'):
    return ('<PlainTextSelection guid="s%d" startPosition="%s" endPosition='
            '"%s" creatingUser="u1"><Coding guid="k%d" creatingUser="u1">'
            '<CodeRef targetGUID="%s"/></Coding></PlainTextSelection>'
            % (i, start, end, i, code))


def t_import_positions():
    """Positions are xsd:integers: a '+' and XML white space around the
    digits are taken; a '-', a space after the sign, other characters or
    nothing are not positions, and a number past any text is past the
    end, each counted as dropped."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)
    ok(run('init', '-d', 'p.db'))
    sels = [('+3', ' 8 '), ('&#9;+0&#10;', '2'), ('-1', '2'), ('3a', '5'),
            ('+ 3', '5'), ('', '2'), ('0', '9' * 30)]
    small_qdpx(os.path.join(d, 'x.qdpx'), small_source(
        'n.txt', ''.join(small_selection(i, a, b)
                         for i, (a, b) in enumerate(sels))),
        [('sources/n.txt', 'Le maire et les élus.\n'.encode())])
    out = ok(run('import', '-d', 'p.db', 'x.qdpx'))
    rows = sqlite3.connect(os.path.join(d, 'p.db')).execute(
        "SELECT start, \"end\", term FROM codings WHERE origin = 'manual' "
        'ORDER BY start').fetchall()
    if rows != [(0, 2, 'Le'), (3, 8, 'maire')]:
        return 'codings %r' % rows
    if b'5 codings dropped' not in out.stderr or \
            b"the first: source 'n.txt', selection '-1' to '2' (GUID s2): " \
            b"not a " \
            b'selection' not in out.stderr:
        return 'said %r' % out.stderr
    return None


def t_import_source_coding():
    """A <Coding> on a <TextSource> itself codes its whole text, cut at
    the segments; imported again it is there already; one of an unknown
    code is counted in the warning, which says it was of the whole
    text."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)
    ok(run('init', '-d', 'p.db'))
    whole = ('<Coding guid="w1" creatingUser="u1"><CodeRef targetGUID="c1"/>'
             '</Coding><Coding guid="w2" creatingUser="u1"><CodeRef '
             'targetGUID="zz"/></Coding>')
    small_qdpx(os.path.join(d, 'x.qdpx'), small_source(
        'n.txt', small_selection(0, 3, 8) + whole),
        [('sources/n.txt', 'Le maire.\n\nLes élus.\n'.encode())])
    for again in (False, True):
        out = ok(run('import', '-d', 'p.db', 'x.qdpx'))
        if b'%d manual coding' % (0 if again else 2) not in out.stdout or \
                b"1 coding dropped (empty selection, unknown code or " \
                b"outside the text); the first: source 'n.txt', its " \
                b"coding of the whole text: code 'zz' is in no <Codes>" \
                not in out.stderr:
            return 'said %r %r' % (out.stdout, out.stderr)
    rows = sqlite3.connect(os.path.join(d, 'p.db')).execute(
        "SELECT start, \"end\", term, coder FROM codings WHERE origin = "
        "'manual' ORDER BY start, \"end\"").fetchall()
    if rows != [(0, 9, 'Le maire.', 'Alice'), (3, 8, 'maire', 'Alice'),
                (11, 21, 'Les élus.', 'Alice')]:
        return 'codings %r' % rows
    return None


def t_import_encodings():
    """Sources in Windows-1252 or UTF-16 are converted with a warning, as
    add converts notes, and their documents keep the encoding they were
    found in; a UTF-8 source is said nothing of."""
    d = tempfile.mkdtemp(dir=TMP)
    run = lambda *a: subprocess.run([G] + list(a), capture_output=True,
                                    cwd=d)
    ok(run('init', '-d', 'p.db'))
    texts = [('l1.txt', 'Élus à Sète.\n'.encode('cp1252')),
             ('u8.txt', 'Le maire.\n'.encode()),
             ('le.txt', 'Les élus.\n'.encode('utf-16')),
             ('be.txt', b'\xfe\xff' + 'Le DGS.\n'.encode('utf-16-be'))]
    small_qdpx(os.path.join(d, 'x.qdpx'),
               small_source('l1.txt', small_selection(0, 5, 6)) +
               ''.join(small_source(n) for n, _ in texts[1:]),
               [('sources/' + n, t) for n, t in texts])
    out = ok(run('import', '-d', 'p.db', 'x.qdpx'))
    if b"grille: warning: x.qdpx: 3 sources converted to UTF-8; the " \
            b"first: 'l1.txt', from Windows-1252\n" not in out.stderr:
        return 'said %r' % out.stderr
    con = sqlite3.connect(os.path.join(d, 'p.db'))
    rows = con.execute('SELECT name, encoding FROM documents ORDER BY '
                       'name').fetchall()
    if rows != [('be.txt', 'UTF-16BE'), ('l1.txt', 'Windows-1252'),
                ('le.txt', 'UTF-16LE'), ('u8.txt', 'UTF-8')]:
        return 'encodings %r' % rows
    rows = con.execute("SELECT term FROM codings WHERE origin = 'manual'"
                       ).fetchall()
    if rows != [('à',)]:
        return 'codings %r' % rows
    return None



def t_manual_code_moved():
    """A coding by hand on a sub-theme the codebook moved elsewhere
    (teletravail/outils, after outils went under numerique) is listed
    under its own parent in the report and in cooc --all, not at the end
    where its indent made it a child of the last theme."""
    d = tempfile.mkdtemp(dir=TMP)
    v1 = os.path.join(d, 'v1.yaml')
    v2 = os.path.join(d, 'v2.yaml')
    with open(v1, 'w') as f:
        f.write('themes:\n  teletravail:\n    terms: [télétravail]\n'
                '    children:\n      outils:\n        terms: [VPN]\n'
                '  numerique:\n    terms: [numérique]\n'
                '  resilience:\n    terms: [résilience]\n')
    with open(v2, 'w') as f:
        f.write('themes:\n  teletravail:\n    terms: [télétravail]\n'
                '  numerique:\n    terms: [numérique]\n'
                '    children:\n      outils:\n        terms: [VPN]\n'
                '  resilience:\n    terms: [résilience]\n'
                '    children:\n      plan:\n        terms: [plan]\n')
    with open(os.path.join(d, 'n1.md'), 'w') as f:
        f.write('Le télétravail avec le VPN.\n\n'
                'Le numérique et la résilience, le plan.\n')
    run = lambda *a: ok(subprocess.run([G] + list(a), capture_output=True,
                                       cwd=d, text=True))
    run('init', '-d', 'a.db', '-c', v1)
    run('add', '-d', 'a.db', 'n1.md')
    run('export', '-d', 'a.db', '-o', 'a.qdpx')
    # the same codings, made by hand by another tool's coder
    with zipfile.ZipFile(os.path.join(d, 'a.qdpx')) as z:
        members = {n: z.read(n) for n in z.namelist()}
    project = members.pop('project.qde').decode()
    user = re.search(r'<User guid="([^"]+)" name="grille"', project).group(1)
    project = project.replace(user, 'AAAAAAAA-0000-4000-8000-000000000001')
    archive(d, 'b.qdpx', project, members)
    run('init', '-d', 'b.db', '-c', v1)
    out = run('import', '-d', 'b.db', 'b.qdpx')
    assert '4 manual codings' in out.stdout, out.stdout
    run('recode', '-d', 'b.db', '-c', v2)
    rows = [l.split()[0] if not l.startswith('  ') else '  ' + l.split()[0]
            for l in run('report', '-d', 'b.db').stdout.split('\n')
            if l.strip()]
    start = rows.index('teletravail')
    want = ['teletravail', '  outils', 'numerique', '  outils',
            'resilience', '  plan']
    if rows[start:start + 6] != want:
        return 'report themes %r, want %r' % (rows[start:start + 7], want)
    codes = json.loads(run('cooc', '-d', 'b.db', '--all', '-f',
                           'json').stdout)['codes']
    if codes != ['teletravail', 'teletravail/outils', 'numerique',
                 'numerique/outils', 'resilience', 'resilience/plan']:
        return 'cooc --all codes %r' % codes
    return None

for name, fn in [('the project validates against Project.xsd', t_valid_project),
                 ('hostile archives: entities, many sources, one key',
                  t_hostile_archives),
                 ('a note of lone CRs: its source has LF line ends',
                  t_lone_cr_source),
                 ('a body starting with U+FEFF: a mark before it, imported back',
                  t_feff_body),
                 ('a source named with spaces alone: named after its GUID',
                  t_blank_source_name),
                 ("two sources named '#1' beside document #1: '#1 (2)'",
                  t_same_name_sources_hash),
                 ('eval -G: texts with no coding by hand said, not scored',
                  t_eval_unread_texts),
                 ('control characters: stored as the export writes them',
                  t_control_chars_round_trip),
                 ('a key with no value survives the qdpx round trip',
                  t_blank_values_round_trip),
                 ('a number whose zeros would go is Text', t_number_texts),
                 ('--selections segments: each coded segment once per code',
                  t_selections_segments),
                 ('a note without a value leaves a variable typed',
                  t_blank_values_keep_types),
                 ('project.qde is indented one space a level throughout',
                  t_indented),
                 ('the codebook validates against Codebook.xsd', t_valid_codebook),
                 ('two exports are the same bytes', t_same_bytes),
                 ('every selection is the coded text', t_selections),
                 ('one source per note: body only, LF, no BOM', t_sources_are_bodies),
                 ('cases carry attributes as typed variables', t_cases),
                 ('the code tree and its GUIDs', t_code_tree),
                 ('csv: one row per coding, file or stdout', t_csv_rows),
                 ('csv: the codings of tag, segments from 0', t_csv_as_tag),
                 ('csv to a folder: codings, documents, matrix', t_csv_folder),
                 ('an unknown format is a usage error', t_bad_format),
                 ('no -o is a usage error', t_no_output),
                 ('a missing folder names the target', t_bad_dir),
                 ('a bad codebook leaves the target as it was', t_bad_codebook_keeps_target),
                 ('-f qdc -c needs no project', t_codebook_without_project),
                 ('no project: a clear error, nothing written', t_no_project),
                 ('import: another tool\'s dialect, again, and back', t_import_dialect),
                 ('import: NVivo, ATLAS.ti, MAXQDA, QualCoder dialects', t_import_dialects),
                 ('round trip: export, import into a fresh project', t_round_trip),
                 ('import: a source with another document\'s text keeps out of its attributes', t_import_same_text),
                 ('import: hand codings come back to the stored notes', t_import_back),
                 ('import: a segment whose numbers are used up refuses a hand coding',
                  t_import_back_numbers_used_up),
                 ('import: bad files are named, nothing is kept', t_import_bad),
                 ('import: a qde with a BOM or in UTF-16; a text node too big; cut short',
                  t_import_qde_encodings_and_limits),
                 ('import: a .qdc becomes a codebook', t_import_qdc),
                 ('import: what a project does not hold is counted',
                  t_import_left_out),
                 ('import: what an audit of hostile archives found',
                  t_import_audit),
                 ('export: odd note names stay valid XML', t_odd_names),
                 ('export: no temporary file left, plain ZIP entries', t_no_temporary_left),
                 ('export: through a link; a pipe or a folder refused', t_export_targets),
                 ('eval --gold-project: scores from codings by hand', t_eval_gold_project),
                 ('eval --gold-project: errors, nothing left behind', t_eval_gold_project_bad),
                 ('import: GUIDs, coders, variables, names and texts as other tools write them', t_import_tools_ways),
                 ('import: two elements of one GUID refused; references to '
                  'nothing said', t_import_guids_and_refs),
                 ('import: integer and decimal values in their canonical '
                  'form', t_import_number_values),
                 ('eval --gold-project: a code by hand under a theme counts for it', t_eval_gold_child),
                 ('import again: same-named sources, codings without a coder, CRLF ends', t_import_again_tools_ways),
                 ('import: coders whose names differ past 600 characters', t_import_long_coder_names),
                 ('import: a source refused is named after the archive as typed',
                  t_import_error_paths),
                 ('import: two .qde in an archive are refused, nothing kept',
                  t_import_two_qde),
                 ("import: positions '+3' and ' 8 ' are xsd:integers, '-1' is none",
                  t_import_positions),
                 ('import: a coding of a whole source, cut at its segments',
                  t_import_source_coding),
                 ('import: sources not in UTF-8 said converted, their encoding kept',
                  t_import_encodings),
                 ('export, report -o: a name too long for a suffix is written '
                  'whole, nothing left', t_long_names),
                 ('report, cooc: a sub-theme coded by hand that the codebook '
                  'moved is listed under its own parent', t_manual_code_moved),
                 ('import: a .qdc as deep as a codebook may be comes back; '
                  'one level deeper is refused', t_import_qdc_deep),
                 ("import: an archive coded with another codebook than the "
                  "project's is said", t_import_other_codebook)]:
    check(name, fn)
print('1..%d' % len(results))
shutil.rmtree(TMP, ignore_errors=True)
sys.exit(0)
