#!/usr/bin/env python3
"""End-to-end tests of the synthesis reports on the real binary.

A small project is built from the notes of tests/e2e/reports/notes with the
codebook tests/e2e/reports/codebook.yaml (alpha = pomme, beta = poire,
gamma = cerise, gamma/sub = griotte).  The figures expected from it were
worked out by hand in tests/e2e/reports/expected.json: the segments of each
note, the codes and hits of each segment, the words of each note, the
matches of a few concordance patterns.  From these, and without grille, this
script computes the theme counts, the co-occurrence (count, Jaccard, lift at
segment and document level) and Lafon's specificities (exact hypergeometric
tail with fractions), and compares them with:

- `grille report -f json|csv`, `grille cooc -f json|csv` at both levels and
  restricted with --codes, `grille compare --by type -f json|csv|text|md`
  (▲/▼ exactly on the cells with |score| >= 2);
- text output that fits 100 columns;
- escaping: HTML (no live tag from a note, well-formed), Markdown (no raw
  `<`, tables keep their columns), CSV cells safe for spreadsheets;
- `grille report -f json` on corpus/ with the bundled codebook against the
  sums of `grille tag -f json` on the same files;
- `grille quotes` (one per document first, at most N per group, the text of
  the segment), `grille kwic` (word, glob, =EXACT, /regex/) and the errors
  of quotes and compare.

Prints TAP; exits 1 when a check fails.
"""
import csv
import glob
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction
from html.parser import HTMLParser

from taplib import check, plan

G = os.environ['GRILLE']
S = os.environ['GRILLE_SOURCE_DIR']
HERE = os.path.join(S, 'tests', 'e2e', 'reports')
NOTES = os.path.join(HERE, 'notes')
CODEBOOK = os.path.join(HERE, 'codebook.yaml')
CORPUS = sorted(glob.glob(os.path.join(S, 'corpus', '*')))
TMP = tempfile.mkdtemp(prefix='grille-reports-')
DB = os.path.join(TMP, 'p.db')
CDB = os.path.join(TMP, 'corpus.db')
WIDTH = 100

with open(os.path.join(HERE, 'expected.json'), encoding='utf-8') as fh:
    EXP = json.load(fh)


def grille(*args):
    env = dict(os.environ, NO_COLOR='1')
    return subprocess.run([G] + list(args), capture_output=True, cwd=TMP,
                          env=env)


def t_unknown_by():
    # compare has nothing to compare: an error, and nothing written
    r = grille('compare', '--by', 'tpye', '-d', DB)
    if r.returncode != 1 or r.stdout or \
            b"no document has a value for the attribute 'tpye': nothing " \
            b"to compare by; did you mean 'type'?" not in r.stderr:
        return 'compare --by tpye: exit %d, %r' % (r.returncode,
                                                   r.stderr[-200:])
    for args in (['report', '--by', 'tpye'],
                 ['report', '--by', 'tpye', '-f', 'csv'],
                 ['quotes', 'alpha', '--by', 'tpye']):
        r = grille(*(args + ['-d', DB]))
        if r.returncode != 0 or \
                b"no document has a value for the attribute 'tpye': did " \
                b"you mean 'type'?" not in r.stderr:
            return '%s: exit %d, %r' % (' '.join(args), r.returncode,
                                        r.stderr[-200:])
    # a key near none of the project's: no suggestion
    r = grille('compare', '--by', 'zzz', '-d', DB)
    if r.returncode != 1 or b'did you mean' in r.stderr:
        return 'compare --by zzz: %r' % r.stderr[-200:]
    r = grille('report', '-f', 'csv', '-d', DB)  # the default: no warning
    if r.returncode != 0 or r.stderr:
        return 'report without --by: %r' % r.stderr[-200:]


def out(*args):
    """The stdout of a command that must succeed, as text."""
    r = grille(*args)
    assert r.returncode == 0, '%s: exit %d: %s' % (
        ' '.join(args), r.returncode, r.stderr.decode(errors='replace'))
    return r.stdout.decode('utf-8')


def jout(*args):
    return json.loads(out(*args))


def csv_rows(text):
    return list(csv.reader(io.StringIO(text, newline='')))


# ------------------------------------------------------------------ model
# Everything below is computed from expected.json alone.

CODES = EXP['codes']
TOP = EXP['top_level']
DOCS = sorted(EXP['documents'])


def ancestors(code):
    """The code and its parents: gamma/sub -> [gamma/sub, gamma]."""
    parts = code.split('/')
    return ['/'.join(parts[:i]) for i in range(len(parts), 0, -1)]


def rolled(leaf_hits):
    """{code: hits} with every leaf's hits counted for its parents too."""
    r = {}
    for code, hits in leaf_hits.items():
        for a in ancestors(code):
            r[a] = r.get(a, 0) + hits
    return r


# SEGS: (document, index, text, {code: hits, children rolled up})
SEGS = [(d, i, text, rolled(codes))
        for d in DOCS
        for i, (text, codes) in enumerate(EXP['documents'][d]['segments'])]
WORDS = {d: EXP['documents'][d]['words'] for d in DOCS}
T_SEGS = len(SEGS)
T_WORDS = sum(WORDS.values())


def attr(d, key):
    return EXP['documents'][d]['attributes'].get(key)


def theme_figures(code, docs=None):
    """documents, coded segments, hits of a code over some documents."""
    docs = DOCS if docs is None else docs
    segs = [s for s in SEGS if s[0] in docs and s[3].get(code)]
    return (len({s[0] for s in segs}), len(segs),
            sum(s[3][code] for s in segs))


def cooc_expected(codes, level):
    """n, count, jaccard, lift as plain lists, computed by definition."""
    if level == 'segment':
        units = [set(s[3]) for s in SEGS]
    else:
        units = [set().union(*[set(s[3]) for s in SEGS if s[0] == d])
                 for d in DOCS]
    n = len(units)
    k = len(codes)
    count = [[sum(1 for u in units if codes[i] in u and codes[j] in u)
              for j in range(k)] for i in range(k)]
    jac = [[None] * k for _ in range(k)]
    lift = [[None] * k for _ in range(k)]
    for i in range(k):
        for j in range(k):
            a = count[i][j]
            ab, ac = count[i][i], count[j][j]  # a+b, a+c
            if ab + ac - a:
                jac[i][j] = a / (ab + ac - a)
            if ab and ac:
                lift[i][j] = a * n / (ab * ac)
    return n, count, jac, lift


def log10_fraction(p):
    return math.log10(p.numerator) - math.log10(p.denominator)


def lafon(f, F, t, T):
    """Lafon's specificity, exact: X ~ hypergeometric(F white, T-F black,
    t draws); -log10 P(X >= f) if f >= F t / T, else log10 P(X <= f)."""
    total = math.comb(T, t)

    def p(k):
        return Fraction(math.comb(F, k) * math.comb(T - F, t - k), total)

    lo, hi = max(0, t - (T - F)), min(F, t)
    if f * T >= F * t:
        return -log10_fraction(sum(p(k) for k in range(f, hi + 1)))
    return log10_fraction(sum(p(k) for k in range(lo, f + 1)))


def compare_expected(by, codes):
    """{value: group figures}, {(code, value): cell figures}."""
    values = sorted({attr(d, by) for d in DOCS})
    groups, cells = {}, {}
    for v in values:
        docs = [d for d in DOCS if attr(d, by) == v]
        groups[v] = {'documents': len(docs),
                     'segments': sum(1 for s in SEGS if s[0] in docs),
                     'words': sum(WORDS[d] for d in docs)}
    for code in codes:
        F = theme_figures(code)[1]
        for v in values:
            docs = [d for d in DOCS if attr(d, by) == v]
            nd, f, hits = theme_figures(code, docs)
            t = groups[v]['segments']
            cells[code, v] = {
                'documents': nd, 'segments': f, 'share': f / t,
                'per_1000_words': 1000 * hits / groups[v]['words'],
                'specificity': lafon(f, F, t, T_SEGS)}
    return groups, cells


def near(got, want, tol):
    if want is None or got is None:
        return got is None and want is None
    return abs(got - want) <= tol


def near_rel(got, want, rel):
    """Equal to `rel` relative error (JSON floats with 6 digits)."""
    return abs(got - want) <= rel * max(1.0, abs(want))


def note_text(doc):
    """The note as grille keeps it: its bytes (no BOM in the fixtures)."""
    with open(os.path.join(NOTES, doc), 'rb') as fh:
        return fh.read()


def span(doc, start, end):
    return note_text(doc)[start:end].decode('utf-8')


def segment_of(doc, text):
    """The expected segment of doc with this text, or None."""
    for s in SEGS:
        if s[0] == doc and s[2] == text:
            return s
    return None


def too_wide(text):
    long = [l for l in text.splitlines() if len(l) > WIDTH]
    if long:
        return '%d lines longer than %d columns, the longest %d: %r' % (
            len(long), WIDTH, max(len(l) for l in long),
            max(long, key=len))
    return None


# ------------------------------------------------------------------ setup


def t_init():
    r = grille('init', '-d', DB, '-c', CODEBOOK)
    assert r.returncode == 0, r.stderr.decode()


def t_add():
    r = grille('add', '-d', DB, NOTES)
    assert r.returncode == 0, r.stderr.decode()
    assert b'added 6 documents' in r.stdout, r.stdout


def t_fixture_coding():
    """The hand-written coding of the fixtures is grille's coding (tag),
    so that the figures below test the reports, not the matcher."""
    paths = [os.path.join(NOTES, d) for d in DOCS]
    tags = [json.loads(l) for l in
            out('tag', '-c', CODEBOOK, '-f', 'json', *paths).splitlines()]
    assert len(tags) == len(DOCS), len(tags)
    for d, tg in zip(DOCS, tags):
        want = EXP['documents'][d]
        assert os.path.basename(tg['document']['name']) == d
        assert tg['document']['words'] == want['words'], (
            d, 'words', tg['document']['words'], want['words'])
        assert tg['document']['attributes'] == want['attributes'], d
        got = [(s['text'], sorted(s['codes'])) for s in tg['segments']]
        exp = [(text, sorted(c)) for text, c in want['segments']]
        assert got == exp, (d, got, exp)
        hits = [{} for _ in tg['segments']]
        for c in tg['codings']:
            h = hits[c['segment']]
            h[c['code']] = h.get(c['code'], 0) + 1
        assert hits == [c for _, c in want['segments']], (d, hits)


# ----------------------------------------------------------------- report

REPORT = {}


def t_report_totals():
    REPORT.update(jout('report', '-d', DB, '-f', 'json'))
    want = {'documents': len(DOCS), 'segments': T_SEGS, 'words': T_WORDS,
            'coded_segments': sum(1 for s in SEGS if s[3]),
            'hits': sum(sum(c.values()) for d in DOCS
                        for _, c in EXP['documents'][d]['segments'])}
    got = {k: REPORT.get(k) for k in want}
    assert got == want, 'got %r, want %r' % (got, want)


def t_report_themes():
    got = {t['code']: (t['documents'], t['segments'], t['hits'])
           for t in REPORT['themes']}
    want = {c: theme_figures(c) for c in CODES}
    assert got == want, 'got %r, want %r' % (got, want)


def t_report_rates():
    for t in REPORT['themes']:
        want = 1000 * theme_figures(t['code'])[2] / T_WORDS
        assert near_rel(t['per_1000_words'], want, 1e-5), (
            t['code'], t['per_1000_words'], want)


def t_report_by_document():
    got = {b['document']: (b['words'], b['segments'], b['attributes'],
                           {k: v for k, v in b['codes'].items() if v})
           for b in REPORT['by_document']}
    want = {}
    for d in DOCS:
        codes = {}
        for s in SEGS:
            if s[0] == d:
                for c in s[3]:
                    codes[c] = codes.get(c, 0) + 1
        want[d] = (WORDS[d], sum(1 for s in SEGS if s[0] == d),
                   EXP['documents'][d]['attributes'], codes)
    for d in sorted(set(got) | set(want)):
        assert got.get(d) == want.get(d), (d, got.get(d), want.get(d))


def t_report_cooc():
    assert REPORT['cooccurrence'] == jout('cooc', '-d', DB, '-f', 'json'), \
        'report.cooccurrence differs from grille cooc -f json'


def t_report_quotes():
    quotes = REPORT['quotes']
    assert set(quotes) >= set(TOP), sorted(quotes)
    for code, qs in quotes.items():
        coded_docs = theme_figures(code)[0]
        assert len(qs) == min(3, coded_docs), (code, len(qs))
        docs = [q['document'] for q in qs]
        assert len(set(docs)) == len(docs), (code, 'same document', docs)
        for q in qs:
            assert q['text'] == span(q['document'], q['start'], q['end']), q
            s = segment_of(q['document'], q['text'])
            assert s and s[3].get(code), (code, 'not a coded segment', q)


def t_report_csv():
    rows = csv_rows(out('report', '-d', DB, '-f', 'csv'))
    head = rows[0]
    col = {h: i for i, h in enumerate(head)}
    for h in ('theme', 'documents', '%', 'segments', 'hits', '/1000 words'):
        assert h in col, head
    got = {r[col['theme']]: r for r in rows[1:]}
    assert sorted(got) == sorted(CODES), sorted(got)
    for code in CODES:
        r = got[code]
        nd, ns, nh = theme_figures(code)
        assert int(r[col['documents']]) == nd, (code, r)
        assert near(float(r[col['%']]), 100 * nd / len(DOCS), 0.005), (code, r)
        assert int(r[col['segments']]) == ns, (code, r)
        assert int(r[col['hits']]) == nh, (code, r)
        assert near(float(r[col['/1000 words']]), 1000 * nh / T_WORDS,
                    5e-4), (code, r)


# ------------------------------------------------------------------- cooc

COOC = {}


def cooc_json(level):
    if level not in COOC:
        COOC[level] = jout('cooc', '-d', DB, '--level', level, '-f', 'json')
    return COOC[level]


def matrix_diff(name, got, want, tol):
    for i, row in enumerate(want):
        for j, w in enumerate(row):
            g = got[i][j]
            ok = (g == w) if tol is None else near(g, w, tol)
            if not ok:
                return '%s[%d][%d] = %r, want %r' % (name, i, j, g, w)
    return None


def t_cooc_counts(level):
    def fn():
        c = cooc_json(level)
        n, count, _, _ = cooc_expected(TOP, level)
        assert c['level'] == level, c['level']
        assert c['codes'] == TOP, c['codes']
        assert c['n'] == n, (c['n'], n)
        return matrix_diff('count', c['count'], count, None)
    return fn


def t_cooc_index(level, key, tol):
    def fn():
        c = cooc_json(level)
        n, _, jac, lift = cooc_expected(TOP, level)
        return matrix_diff(key, c[key], jac if key == 'jaccard' else lift,
                           tol)
    return fn


def t_cooc_restricted():
    c = jout('cooc', '-d', DB, '--codes', 'alpha,beta', '-f', 'json')
    full = cooc_json('segment')
    n, count, jac, _ = cooc_expected(['alpha', 'beta'], 'segment')
    assert c['codes'] == ['alpha', 'beta'], c['codes']
    assert c['n'] == n, c['n']
    assert c['count'] == count, c['count']
    assert matrix_diff('jaccard', c['jaccard'], jac, 1e-6) is None, c
    for key in ('count', 'jaccard', 'lift'):  # the same cells as unrestricted
        sub = [row[:2] for row in full[key][:2]]
        assert c[key] == sub, (key, c[key], sub)


def t_cooc_all():
    c = jout('cooc', '-d', DB, '--all', '--level', 'document', '-f', 'json')
    n, count, jac, _ = cooc_expected(CODES, 'document')
    assert c['codes'] == CODES, c['codes']
    assert c['n'] == n and c['count'] == count, (c['n'], c['count'])
    return matrix_diff('jaccard', c['jaccard'], jac, 1e-6)


def t_cooc_lineage():
    """--all: the human formats rank no pair of a theme and its own
    sub-theme (they meet wherever the sub-theme is coded), say how many
    they left out, and the CSV keeps them."""
    n, count, _, _ = cooc_expected(CODES, 'segment')
    lineage = {frozenset((CODES[i], CODES[j]))
               for i in range(len(CODES)) for j in range(i + 1, len(CODES))
               if count[i][j] and (CODES[i] in ancestors(CODES[j]) or
                                   CODES[j] in ancestors(CODES[i]))}
    assert lineage, 'the fixtures have a theme coded with its sub-theme'
    text = out('cooc', '-d', DB, '--all')
    ranked = text.split('Pairs, strongest first')[1].split('Segments coded')[0]
    rows = [line.split()[:2] for line in ranked.splitlines()
            if line.split()[:1] and line.split()[0] in CODES]
    assert rows, ranked
    for a, b in rows:
        assert frozenset((a, b)) not in lineage, ('ranked', a, b)
    assert 'Left out: %d pair%s of a theme and its own sub-theme' % (
        len(lineage), '' if len(lineage) == 1 else 's') in text, ranked
    report = out('report', '-d', DB, '--all', '-n', '0')
    assert 'Left out: %d pair' % len(lineage) in report, report
    csv_pairs = {frozenset(r[:2]) for r in
                 csv_rows(out('cooc', '-d', DB, '--all', '-f', 'csv'))[1:]}
    assert lineage <= csv_pairs, lineage - csv_pairs
    one = out('cooc', '-d', DB, '--codes', TOP[0])
    assert 'Pairs need two themes at least' in one, one
    a, b = sorted(tuple(sorted(p)) for p in lineage)[0]
    only = out('cooc', '-d', DB, '--codes', '%s,%s' % (a, b))
    assert 'No two themes co-occur but a theme and its own sub-theme' in only
    assert 'Left out' not in only, only


def t_cooc_csv(level):
    def fn():
        rows = csv_rows(out('cooc', '-d', DB, '--level', level, '-f', 'csv'))
        n, count, jac, lift = cooc_expected(TOP, level)
        head = rows[0]
        assert len(head) == 7, head
        seen = set()
        for r in rows[1:]:
            a, b = r[0], r[1]
            i, j = TOP.index(a), TOP.index(b)
            assert a != b, r
            seen.add(frozenset((a, b)))
            assert int(r[2]) == count[i][j], (r, count[i][j])
            assert near(float(r[3]), jac[i][j], 1e-6), (r, jac[i][j])
            assert near(float(r[4]), lift[i][j], 1e-6), (r, lift[i][j])
            assert near(float(r[5]), count[i][j] / count[i][i], 1e-6), r
            assert near(float(r[6]), count[i][j] / count[j][j], 1e-6), r
        want = {frozenset((TOP[i], TOP[j])) for i in range(len(TOP))
                for j in range(i + 1, len(TOP)) if count[i][j]}
        assert seen >= want, ('missing pairs', want - seen)
    return fn


# ---------------------------------------------------------------- compare

GROUPS, CELLS = compare_expected('type', TOP)
CMP = {}


def t_fixture_specific():
    """The fixtures have cells over and under the threshold, and banal
    ones (else the mark checks below would prove little)."""
    scores = [c['specificity'] for c in CELLS.values()]
    assert max(scores) >= 2 and min(scores) <= -2, scores
    assert any(abs(s) < 2 for s in scores), scores


def t_compare_groups():
    CMP.update(jout('compare', '-d', DB, '--by', 'type', '-f', 'json'))
    assert CMP['by'] == 'type', CMP['by']
    got = {g['value']: {k: g[k] for k in ('documents', 'segments', 'words')}
           for g in CMP['groups']}
    assert got == GROUPS, 'got %r, want %r' % (got, GROUPS)


def compare_cells():
    values = [g['value'] for g in CMP['groups']]
    assert [t['code'] for t in CMP['themes']] == TOP, CMP['themes']
    return {(t['code'], v): cell for t in CMP['themes']
            for v, cell in zip(values, t['cells'])}


def t_compare_counts():
    got = compare_cells()
    assert sorted(got) == sorted(CELLS), sorted(got)
    for key, want in CELLS.items():
        g = got[key]
        assert (g['documents'], g['segments']) == (
            want['documents'], want['segments']), (key, g, want)


def t_compare_rates():
    got = compare_cells()
    for key, want in CELLS.items():
        g = got[key]
        assert near(g['share'], want['share'], 1e-6), (key, g, want)
        assert near_rel(g['per_1000_words'], want['per_1000_words'], 1e-5), (
            key, g['per_1000_words'], want['per_1000_words'])


def t_compare_specificity():
    got = compare_cells()
    for key, want in CELLS.items():
        assert near(got[key]['specificity'], want['specificity'], 1e-4), (
            key, got[key]['specificity'], want['specificity'])


def t_compare_csv():
    rows = csv_rows(out('compare', '-d', DB, '--by', 'type', '-f', 'csv'))
    col = {h: i for i, h in enumerate(rows[0])}
    seen = set()
    for r in rows[1:]:
        key = (r[col['code']], r[col['group']])
        want, grp = CELLS[key], GROUPS[key[1]]
        seen.add(key)
        assert int(r[col['documents']]) == want['documents'], (key, r)
        assert int(r[col['segments']]) == want['segments'], (key, r)
        assert int(r[col['group_documents']]) == grp['documents'], (key, r)
        assert int(r[col['group_segments']]) == grp['segments'], (key, r)
        assert int(r[col['group_words']]) == grp['words'], (key, r)
        assert near(float(r[col['share']]), want['share'], 1e-6), (key, r)
        assert near(float(r[col['per_1000_words']]), want['per_1000_words'],
                    1e-6), (key, r)
        assert near(float(r[col['specificity']]), want['specificity'],
                    1e-4), (key, r, want['specificity'])
    assert seen == set(CELLS), sorted(set(CELLS) - seen)


CELL_RE = re.compile(r'^(\d+) (\d+)% ([+-]?\d+\.\d)(?: ([▲▼]))?$')


def check_cell(key, text):
    """A human cell 'segments share% score [mark]' against the figures."""
    m = CELL_RE.match(text.strip())
    assert m, (key, 'unreadable cell', text)
    want = CELLS[key]
    s = want['specificity']
    assert int(m.group(1)) == want['segments'], (key, text)
    assert abs(int(m.group(2)) - 100 * want['share']) <= 0.5 + 1e-9, (
        key, text)
    assert abs(float(m.group(3)) - s) <= 0.05 + 1e-9, (key, text, s)
    mark = '▲' if s >= 2 else '▼' if s <= -2 else None
    assert m.group(4) == mark, (key, text, 'score %.4f wants mark %r' % (
        s, mark))


def t_compare_text():
    lines = out('compare', '-d', DB, '--by', 'type').splitlines()
    i = lines.index('Coded segments, share and specificity')
    while not lines[i].startswith('theme'):
        i += 1
    head = re.split(r'\s{2,}', lines[i].strip())
    assert sorted(head[1:]) == sorted(GROUPS), head
    assert set(lines[i + 1]) <= {'-', ' '}, lines[i + 1]
    seen = 0
    for line in lines[i + 2:]:
        if not line.strip():
            break
        cells = re.split(r'\s{2,}', line.strip())
        assert len(cells) == len(head), line
        for v, text in zip(head[1:], cells[1:]):
            check_cell((cells[0], v), text)
            seen += 1
    assert seen == len(CELLS), seen


def t_compare_md():
    lines = out('compare', '-d', DB, '--by', 'type', '-f', 'md').splitlines()
    i = lines.index('## Coded segments, share and specificity')
    while not lines[i].startswith('|'):
        i += 1
    split = lambda l: [c.strip() for c in l.strip().strip('|').split(' | ')]
    head = split(lines[i])
    assert sorted(head[1:]) == sorted(GROUPS), head
    seen = 0
    for line in lines[i + 2:]:
        if not line.startswith('|'):
            break
        cells = split(line)
        for v, text in zip(head[1:], cells[1:]):
            check_cell((cells[0], v), text)
            seen += 1
    assert seen == len(CELLS), seen


def t_compare_specific_list():
    """The 'Specific themes' paragraph names exactly the specific cells."""
    text = out('compare', '-d', DB, '--by', 'type')
    got = set(re.findall(r'^(\S[^:\n]*): (\S+) is (over|under)-represented',
                         text, re.M))
    want = {(v, code, 'over' if c['specificity'] > 0 else 'under')
            for (code, v), c in CELLS.items()
            if abs(c['specificity']) >= 2}
    assert got == want, 'got %r, want %r' % (got, want)


# ----------------------------------------------------------------- widths


def t_width(db, *args):
    return lambda: too_wide(out(*(list(args) + ['-d', db])))


def t_empty_value_is_none():
    """An attribute with an empty value ('type:' in a front matter) groups
    its document with those that lack it, not under a blank name; a
    collectivité left empty is not counted."""
    d = tempfile.mkdtemp(dir=TMP)
    notes = (('a.md', 'type:\ncollectivite: ""'),
             ('b.md', 'type: commune\ncollectivite: Millau'),
             ('c.md', 'collectivite: Rodez'),
             ('e.md', 'type: "(none)"\ncollectivite: Albi'))
    for name, fm in notes:
        with open(os.path.join(d, name), 'w', encoding='utf-8') as f:
            f.write('---\n%s\n---\nLe télétravail et les masques.\n' % fm)
    db = os.path.join(d, 'p.db')
    out('init', '-d', db)
    out('add', '-d', db, *[os.path.join(d, n) for n, _ in notes])
    groups = jout('compare', '-d', db, '--by', 'type', '-f', 'json')['groups']
    got = sorted((str(g['value']), g['documents']) for g in groups)
    if got != [('(none)', 1), ('None', 2), ('commune', 1)]:
        return 'groups %r' % got
    text = out('report', '-d', db)
    if '3 collectivités' not in text:
        return 'report: %r' % text[:300]
    # quotes in CSV: the group of no value is an empty cell, apart from a
    # value written (none)
    rows = csv_rows(out('quotes', 'teletravail', '-d', db, '--by', 'type', '-f',
                        'csv', '-n', '5'))
    groups = sorted((r[0], r[2]) for r in rows[1:])
    if groups != [('', 'a.md'), ('', 'c.md'), ('(none)', 'e.md'),
                  ('commune', 'b.md')]:
        return 'quotes csv groups %r' % groups
    return None


def t_compare_numbers_whole():
    """compare --by region on the corpus (ten groups, long names): a
    header may be cut to fit, a number never; every rate cell is whole."""
    text = out('compare', '-d', CDB, '--by', 'region')
    js = jout('compare', '-d', CDB, '--by', 'region', '-f', 'json')
    cut = re.findall('…[0-9(+.][^ ]*', text)
    if cut:
        return 'numbers cut: %r' % cut[:5]
    cells = re.findall(r'\d+\.\d \(\d+/\d+ doc\.\)', text)
    want = len(js['themes']) * len(js['groups'])
    if len(js['groups']) < 8:
        return 'test bug: %d groups' % len(js['groups'])
    if len(cells) != want:
        return '%d whole rate cells, want %d' % (len(cells), want)
    return too_wide(text)


# --------------------------------------------------------------- escaping

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link',
        'meta', 'source', 'track', 'wbr'}


class StrictHTML(HTMLParser):
    """html.parser never raises: record what a strict reader would refuse
    (an end tag that closes nothing, an element left open) and every tag
    and piece of text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags, self.data = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append('line %d: </%s> with %r open' % (
                self.getpos()[0], tag, self.stack[-3:]))

    def handle_data(self, data):
        self.data.append(data)


def t_html():
    html = out('report', '-d', DB, '-f', 'html', '-n', '10')
    assert '<script' not in html.lower(), 'a raw <script> tag'
    assert '&lt;script&gt;' in html, 'no &lt;script&gt;'
    for raw in ('<b>président', '<i>fils'):
        assert raw not in html, 'raw %s from an attribute' % raw
    p = StrictHTML()
    p.feed(html)
    p.close()
    assert not p.errors, p.errors[:3]
    assert not p.stack, ('unclosed', p.stack)
    assert 'script' not in p.tags, 'a script element'
    text = ''.join(p.data)
    f = EXP['documents']['f-escapes.md']
    for s in (f['segments'][0][0], f['attributes']['collectivite'],
              f['attributes']['role']):
        assert s in text, ('not shown as text', s)


def t_md():
    md = out('report', '-d', DB, '-f', 'md', '-n', '10')
    for raw in ('<script>', '</script>', '<b>président', '<i>fils'):
        assert raw not in md, 'raw %s in Markdown' % raw
    assert re.search(r'\\<script\\>|&lt;script&gt;', md), 'no escaped <script>'
    # a '|' from a note must not add a column: rows of a table agree
    table = []
    for line in md.splitlines() + ['']:
        if line.startswith('|'):
            table.append(len(re.findall(r'(?<!\\)\|', line)))
        else:
            assert len(set(table)) <= 1, ('uneven table', table)
            table = []


def spreadsheet_unsafe(rows):
    bad = []
    for r in rows:
        for cell in r:
            if cell[:1] in ('=', '+', '-', '@'):
                try:
                    float(cell)  # a number is not a formula
                except ValueError:
                    bad.append(cell)
    return bad


def t_quotes_csv_safe():
    rows = csv_rows(out('quotes', '-d', DB, 'gamma/sub', '-n', '10',
                        '-f', 'csv'))
    bad = spreadsheet_unsafe(rows)
    assert not bad, ('formula cells', bad)
    col = rows[0].index('text')
    texts = [r[col] for r in rows[1:]]
    assert "'=SUM(1) griotte du jour" in texts, texts
    for r in rows[1:]:
        t = r[col]
        if t.startswith("'") and t[1:2] in ('=', '+', '-', '@'):
            t = t[1:]
        doc = r[rows[0].index('document')]
        assert segment_of(doc, t), ('not a segment of %s' % doc, t)


def t_json_quotes_codes():
    """report -f json --codes A,B: the verbatims of A and B only, as the
    other formats show; without --codes, every code's."""
    every = jout('report', '-d', DB, '-f', 'json')
    ids = [t['code'] for t in every['themes'] if t['parent'] is None][:2]
    assert len(ids) == 2 and len(every['quotes']) == len(every['themes']), \
        every['quotes'].keys()
    some = jout('report', '-d', DB, '-f', 'json', '--codes', ','.join(ids))
    assert list(some['quotes']) == ids, list(some['quotes'])
    assert some['quotes'] == {i: every['quotes'][i] for i in ids}


def t_quotes_terms_folded():
    """quotes counts distinct words without case nor accents: 'Élus' is
    not a second word beside 'élus' (SQL's lower() knows ASCII only), so
    two segments alike tie, and the first document comes first."""
    d = os.path.join(TMP, 'qfold')
    os.mkdir(d)
    for name, first in (('a.md', 'élus'), ('b.md', '\u00c9lus')):
        with open(os.path.join(d, name), 'w', encoding='utf-8') as fh:
            fh.write('Les %s et les élus se sont réunis hier soir en '
                     'mairie annexe.\n' % first)
    db = os.path.join(TMP, 'qfold.db')
    out('init', '-d', db)
    out('add', '-d', db, d)
    rows = csv_rows(out('quotes', '-d', db, 'elus', '-f', 'csv'))
    head = rows[0]
    got = [(r[head.index('document')], r[head.index('terms')])
           for r in rows[1:]]
    assert got == [('a.md', '1'), ('b.md', '1')], got


def t_kwic_whole_match_in_data():
    """kwic -f json and csv give the whole match, a table 200
    characters of it; a context cut never leaves an accent behind its
    letter (decomposed accents)."""
    d = os.path.join(TMP, 'kwwhole')
    os.mkdir(d)
    import unicodedata
    text = ('La cellule de crise ' + 'se réunit chaque matin ' * 20 +
            'fin.\n\nLe maire a parlé de la santé des élèves et de l’été.\n')
    with open(os.path.join(d, 'n.md'), 'w', encoding='utf-8') as fh:
        fh.write(unicodedata.normalize('NFD', text))
    db = os.path.join(TMP, 'kwwhole.db')
    out('init', '-d', db)
    out('add', '-d', db, d)
    j = jout('kwic', '-d', db, '/La cellule(.|\\n)*fin/', '-f', 'json')
    m = j['matches'][0]
    assert len(m['match'].encode()) == m['end'] - m['start'], m['match'][-20:]
    rows = csv_rows(out('kwic', '-d', db, '/La cellule(.|\\n)*fin/', '-f',
                        'csv'))
    assert rows[1][3].endswith('fin'), rows[1][3][-20:]
    for w in ('7', '8', '9'):
        for r in jout('kwic', '-d', db, 'santé', '-w', w,
                      '-f', 'json')['matches']:
            for side in (r['left'], r['right']):
                assert not unicodedata.combining(side[:1]), (w, side)
                nfc = unicodedata.normalize('NFC', side)
                assert len(nfc) <= int(w), (w, side)
            assert unicodedata.normalize('NFC', r['right']).startswith(
                'des élè'), r['right']


def t_kwic_csv_safe():
    """kwic -f csv: a left context that starts like a formula is defused
    too (the column is aligned right, as numbers are, but holds text)."""
    rows = csv_rows(out('kwic', '-d', DB, 'griotte', '-w', '8', '-f', 'csv'))
    bad = spreadsheet_unsafe(rows)
    assert not bad, ('formula cells', bad)
    left = [r[rows[0].index('left')] for r in rows[1:]]
    assert any(c.startswith("'=SUM(1)") for c in left), left


def t_report_csv_safe():
    rows = csv_rows(out('report', '-d', DB, '-f', 'csv'))
    bad = spreadsheet_unsafe(rows)
    assert not bad, ('formula cells', bad)
    assert "'=Beta (poires)" in [c for r in rows for c in r], rows


def t_json_raw():
    """The ' prefix is for spreadsheets only: JSON keeps the text."""
    q = jout('quotes', '-d', DB, 'gamma/sub', '-n', '10', '-f', 'json')
    texts = [x['text'] for x in q['quotes']]
    assert '=SUM(1) griotte du jour' in texts, texts
    labels = {t['code']: t['label'] for t in REPORT['themes']}
    assert labels.get('beta') == '=Beta (poires)', labels


# ----------------------------------------------------------------- corpus


def t_report_codebook():
    import hashlib
    with open(CODEBOOK, 'rb') as fh:
        raw = fh.read()
    sha = hashlib.sha256(raw).hexdigest()
    tag = json.loads(out('tag', '-f', 'json', '-c', CODEBOOK,
                         os.path.join(NOTES, sorted(os.listdir(NOTES))[0]))
                     .splitlines()[0])
    assert tag['codebook']['sha256'] == sha, (tag['codebook'], sha)
    cb = jout('report', '-d', DB, '-f', 'json')['codebook']
    assert cb == {'name': 'Vergers de test', 'source': CODEBOOK,
                  'sha256': sha}, cb
    line = 'Coded with %s (sha256 %s).' % (CODEBOOK, sha[:12])
    for fmt in ('text', 'md', 'html'):
        text = ' '.join(out('report', '-d', DB, '-f', fmt).split())
        assert line in text, '%s: no %r in %r' % (fmt, line, text[:400])
    # a recode with another version of the codebook: the report says so
    db = os.path.join(TMP, 'versions.db')
    edited = os.path.join(TMP, 'codebook-v2.yaml')
    with open(edited, 'wb') as fh:
        fh.write(raw + b'# v2: a comment, another text\n')
    for args in (['init', '-d', db, '-c', CODEBOOK], ['add', '-d', db, NOTES],
                 ['recode', '-d', db, '-c', edited]):
        r = grille(*args)
        assert r.returncode == 0, (args, r.stderr.decode())
    cb = jout('report', '-d', db, '-f', 'json')['codebook']
    want = hashlib.sha256(raw + b'# v2: a comment, another text\n').hexdigest()
    assert cb['source'] == edited and cb['sha256'] == want, cb


def t_corpus_project():
    r = grille('init', '-d', CDB)
    assert r.returncode == 0, r.stderr.decode()
    r = grille('add', '-d', CDB, os.path.join(S, 'corpus'))
    assert r.returncode == 0, r.stderr.decode()


def t_corpus_consistent():
    tags = [json.loads(l) for l in
            out('tag', '-f', 'json', *CORPUS).splitlines()]
    assert len(tags) == len(CORPUS), len(tags)
    rep = jout('report', '-d', CDB, '-f', 'json')
    want = {}
    for tg in tags:
        for code, s in tg['summary'].items():
            w = want.setdefault(code, [0, 0, 0])
            w[0] += 1
            w[1] += s['segments']
            w[2] += s['hits']
    got = {t['code']: [t['documents'], t['segments'], t['hits']]
           for t in rep['themes']}
    for code in sorted(set(got) | set(want)):
        g, w = got.get(code), want.get(code, [0, 0, 0])
        assert g == w, '%s: report %r, tag sums %r (documents, segments, ' \
            'hits)' % (code, g, w)
    assert rep['documents'] == len(tags), rep['documents']
    assert rep['segments'] == sum(len(t['segments']) for t in tags), \
        (rep['segments'], sum(len(t['segments']) for t in tags))
    assert rep['words'] == sum(t['document']['words'] for t in tags), \
        (rep['words'], sum(t['document']['words'] for t in tags))


def t_corpus_md_html_subthemes():
    """Markdown and HTML keep a sub-theme's indent (no-break spaces: both
    drop plain ones, and 'outils' read as a theme of its own), and write
    a number in a table's cell as it is (11.1, not 11\\.1)."""
    md = out('report', '-d', CDB, '-f', 'md')
    assert '| \u00a0\u00a0outils |' in md, 'no indented outils row'
    assert not re.search(r'\| [0-9]+\\\.', md), 'a number escaped'
    html = out('report', '-d', CDB, '-f', 'html')
    assert 'scope="row">&nbsp;&nbsp;outils<' in html, 'no indented outils'


def t_quote_marks_keep_their_word():
    """A verbatim's closing » (and a French colon) is never alone at the
    start of a line: whatever the length of the quote, it goes on the
    line of the word before it."""
    d = os.path.join(TMP, 'marks')
    os.makedirs(d)
    for n in range(1, 16):
        with open(os.path.join(d, 'n%02d.md' % n), 'w') as f:
            # 80 + n bytes: the quote's last word ends at the line's
            # end for one n or two, its » then past it
            f.write('---\ntype: commune\n---\n\nLes pommes arrivent ' +
                    'x' * n + ' en mairie, avec le gel, pour tous les '
                    'agents, et les autres ok\n')
    db = os.path.join(d, 'm.db')
    out('init', '-d', db, '-c', CODEBOOK)
    out('add', '-d', db, d)
    text = out('report', '-d', db, '--quotes', '20')
    lone = [l for l in text.splitlines() if l.strip() in ('\u00bb', ':')]
    assert not lone, lone
    assert text.count('\u00bb') >= 15, text[-2000:]
    # an opening « with a one-word quote after it, at every column
    d2 = os.path.join(TMP, 'marks2')
    os.makedirs(d2)
    for k in range(60, 91):
        with open(os.path.join(d2, 'n%d.md' % k), 'w') as f:
            f.write('La pomme %s \u00ab cerise \u00bb fin.\n' % ('a' * k))
    db = os.path.join(d2, 'm.db')
    out('init', '-d', db, '-c', CODEBOOK)
    out('add', '-d', db, d2)
    text = out('quotes', '-d', db, '-n', '80', 'alpha')
    ends = [l for l in text.splitlines() if l.rstrip().endswith('\u00ab')]
    assert not ends, ends


def t_long_heading_cut():
    """A heading made of a value (a collectivité of 300 characters) is
    cut to the page's 100 columns, as the tables' cells are."""
    d = os.path.join(TMP, 'longhead')
    os.makedirs(d)
    db = os.path.join(d, 'p.db')
    with open(os.path.join(d, 'n.md'), 'w', encoding='utf-8') as fh:
        fh.write('---\ncollectivite: %s\n---\n\nLa santé des agents.\n'
                 % ('Communauté de communes ' * 14))
    for args in (('init', '-d', db), ('add', '-d', db, d)):
        r = grille(*args)
        assert r.returncode == 0, (args, r.stderr)
    for args in (('report',), ('quotes', 'sante', '--by', 'collectivite')):
        text = out(*(list(args) + ['-d', db]))
        wide = [l for l in text.split('\n') if len(l) > WIDTH]
        assert not wide, (args, wide[0])
        assert 'Communauté de communes Communauté' in text, args


def half_up(x, d):
    """x (a Fraction) rounded half up to d decimals, as text."""
    q = Fraction(10) ** d
    n = math.floor(x * q + Fraction(1, 2))
    return '%d.%0*d' % (n // q.numerator, d, n % q.numerator)


def t_corpus_cooc_text_half_up():
    """The text of grille cooc rounds half up, as the percentages are
    (docs/reports.md): the corpus has figures that are exact ties (a
    share or a lift of exactly 0.0625 or 1.125, which printf's rounding
    to even would show as 0.062 or 1.12).  Every pair's Jaccard, lift and
    conditional shares, from the JSON's counts."""
    js = jout('cooc', '-d', CDB, '-f', 'json')
    codes, n = js['codes'], js['n']
    idx = {c: i for i, c in enumerate(codes)}
    cnt = js['count']
    ties, rows = 0, 0
    for line in out('cooc', '-d', CDB).splitlines():
        f = line.split()
        if len(f) != 7 or f[0] not in idx or f[1] not in idx:
            continue
        i, j = idx[f[0]], idx[f[1]]
        both, a, b = cnt[i][j], cnt[i][i], cnt[j][j]
        jac = Fraction(both, a + b - both)
        lift = Fraction(both * n, a * b)
        want = [str(both), half_up(jac, 3), half_up(lift, 2),
                half_up(Fraction(both, a), 3), half_up(Fraction(both, b), 3)]
        assert f[2:] == want, (line, want)
        ties += any((x * 1000).denominator == 2 for x in
                    (jac, Fraction(both, a), Fraction(both, b))) or \
            (lift * 100).denominator == 2
        rows += 1
    assert rows > 20 and ties, (rows, ties)


def t_ties_from_counts():
    """Ties are rounded half up from the counts, not from a double whose
    binary form falls below them (docs/reports.md): 23 of 40 is 0.575 and
    57.5%, which a double holds as 0.57499...; a lift of 3 x 17 / (4 x
    10) = 1.275.  And compare on a project of no documents is an error."""
    d = os.path.join(TMP, 'ties')
    os.makedirs(d)
    cb = os.path.join(d, 'cb.yaml')
    with open(cb, 'w', encoding='utf-8') as fh:
        fh.write('name: T\nlanguage: french\nthemes:\n'
                 '  alpha: {label: Alpha, terms: [masque]}\n'
                 '  beta: {label: Beta, terms: [budget]}\n')

    def project(name, notes):
        db = os.path.join(d, name + '.db')
        nd = os.path.join(d, name)
        os.makedirs(nd)
        for fn, text in notes.items():
            with open(os.path.join(nd, fn), 'w', encoding='utf-8') as fh:
                fh.write(text)
        out('init', '-d', db, '-c', cb)
        if notes:
            out('add', '-d', db, nd)
        return db

    db = project('lift', {'a.md': '\n\n'.join(
        ['masque budget'] * 3 + ['masque'] + ['budget'] * 7 + ['rien'] * 6)})
    rows = [l.split() for l in out('cooc', '-d', db).splitlines()]
    pair = [r for r in rows if r[:2] == ['alpha', 'beta']]
    assert pair == [['alpha', 'beta', '3', '0.273', '1.28', '0.750',
                     '0.300']], pair
    db = project('share', {'b.md': '---\ntype: ccas\n---\n\n' + '\n\n'.join(
        ['masque'] * 23 + ['rien'] * 17)})
    text = out('compare', '-d', db, '--by', 'type')
    assert re.search(r'^alpha +23 58% ', text, re.M), text
    db = project('jac', {'j.md': '\n\n'.join(
        ['masque budget'] * 23 + ['masque'] * 17)})
    text = out('cooc', '-d', db)
    assert re.search(r'^alpha +beta +23 +0\.575 ', text, re.M), text
    assert re.search(r'^2 beta +0\.58 ', text, re.M), text
    db = project('chart', {'d%02d.md' % i: ('masque %d\n' if i <= 23 else
                                            'rien %d\n') % i
                           for i in range(1, 41)})
    html = out('report', '-d', db, '-f', 'html')
    assert re.search(r'<text x="\d+" y="\d+">58%</text>', html), html[:3000]
    assert re.search(r'^alpha +23 +58 ', out('report', '-d', db), re.M)
    db = project('empty', {})
    r = grille('compare', '-d', db, '--by', 'type')
    assert r.returncode == 1 and not r.stdout and \
        b'has no documents: nothing to compare' in r.stderr, r


def t_csv_ties_from_counts():
    """CSV rounds half up from the counts too, to its six decimals (two
    for report's percentage): a Jaccard and a share of 1/128, 0.0078125,
    are 0.007813 (printf gave 0.007812: a third theme in one segment of
    128 for the share), and a theme in 1 note of 32,
    3.125%, is 3.13."""
    d = os.path.join(TMP, 'csvties')
    os.makedirs(os.path.join(d, 'j'))
    os.makedirs(os.path.join(d, 'r'))
    cb = os.path.join(d, 'cb.yaml')
    with open(cb, 'w', encoding='utf-8') as fh:
        fh.write('name: T\nlanguage: french\nthemes:\n'
                 '  alpha: {label: Alpha, terms: [masque]}\n'
                 '  beta: {label: Beta, terms: [budget]}\n'
                 '  gamma: {label: Gamma, terms: [rare]}\n')
    with open(os.path.join(d, 'j', 'a.md'), 'w', encoding='utf-8') as fh:
        fh.write('---\ntype: ccas\n---\n\n' + '\n\n'.join(
            ['masque budget rare'] + ['masque'] * 63 + ['budget'] * 64))
    for i in range(1, 33):
        with open(os.path.join(d, 'r', 'n%02d.md' % i), 'w',
                  encoding='utf-8') as fh:
            fh.write('masque\n' if i == 1 else 'rien %d\n' % i)
    for name in ('j', 'r'):
        db = os.path.join(d, name + '.db')
        out('init', '-d', db, '-c', cb)
        out('add', '-d', db, os.path.join(d, name))
    rows = csv_rows(out('cooc', '-d', os.path.join(d, 'j.db'), '-f', 'csv'))
    assert ['alpha', 'beta', '1', '0.007813'] in [r[:4] for r in rows], rows
    rows = csv_rows(out('compare', '-d', os.path.join(d, 'j.db'), '--by',
                        'type', '-f', 'csv', '--all'))
    col = rows[0].index('share')
    shares = {r[0]: r[col] for r in rows[1:]}
    assert shares['gamma'] == '0.007813', shares
    rows = csv_rows(out('report', '-d', os.path.join(d, 'r.db'), '-f', 'csv'))
    alpha = [r for r in rows if r[0] == 'alpha']
    assert alpha and alpha[0][3] == '3.13', rows


def t_compare_text_no_minus_zero():
    """A score that rounds to zero is written +0.0 in the text, as 0
    is, whatever its sign (docs/reports.md): here a2 (prune, once) at
    epci, whose one segment has none, is about -0.035."""
    d = os.path.join(TMP, 'zero')
    os.makedirs(os.path.join(d, 'notes'))
    notes = {
        'd1.md': 'type: commune\n---\n\n- pomme et poire\n- poire et '
                 'prune\n- le chien\n- rouge et vert\n- rien du tout\n',
        'd2.md': 'type: commune\n---\n\n- un chien\n- chien et chat\n'
                 '- un chat\n',
        'd3.md': 'type: ccas\n---\n\n- chien\n- pomme\n',
        'd4.md': 'enqueteur: B\n---\n\n- chat rouge\n',
        'd5.md': 'type:\n---\n\nrien ici.\n',
        'd7.md': 'type: epci\n---\n\nNada.\n'}
    for name, body in notes.items():
        with open(os.path.join(d, 'notes', name), 'w', encoding='utf-8') as fh:
            fh.write('---\n' + body)
    cb = os.path.join(d, 'cb.yaml')
    with open(cb, 'w', encoding='utf-8') as fh:
        fh.write('name: Z\nthemes:\n  alpha:\n    terms: [pomme]\n'
                 '    children:\n      a2: {terms: [prune]}\n'
                 '  beta: {terms: [chien]}\n')
    db = os.path.join(d, 'p.db')
    for args in (('init', '-d', db, '-c', cb),
                 ('add', '-d', db, os.path.join(d, 'notes'))):
        r = grille(*args)
        assert r.returncode == 0, (args, r.stderr)
    js = jout('compare', '-d', db, '--by', 'type', '--all', '-f', 'json')
    tiny = [c['specificity'] for t in js['themes'] for c in t['cells']
            if -0.05 < c['specificity'] < 0]
    assert tiny, 'no tiny negative score to show'
    text = out('compare', '-d', db, '--by', 'type', '--all')
    assert '-0.0' not in text and '+0.0' in text, text


def quote_score(hits, length):
    """grille_quote_score: hits, then a readable length (40 bytes or
    more, then the longer up to 250)."""
    if not hits:
        return 0
    return hits * 1000 + (500 if length >= 40 else 0) + min(length, 250)


def t_corpus_quote_order():
    """quotes lists every document's best before a second quote, each
    document's in its own order, and the report's verbatims are the
    documents' best quotes by the same score, all as docs/reports.md
    says: hits, a readable length, distinct words (quotes only), then
    the document (its name; the report's order of documents)."""
    rep = jout('report', '-d', CDB, '-f', 'json')
    order = [d['document'] for d in rep['by_document']]
    for code in (t['code'] for t in rep['themes']):
        rows = csv_rows(out('quotes', '-d', CDB, code, '-n', '10000',
                            '-f', 'csv'))[1:]
        assert rows, code
        seen, got = {}, []
        for r in rows:
            doc, start, end = r[2], int(r[4]), int(r[5])
            hits, terms = int(r[6]), int(r[7])
            rank = seen.get(doc, 0)
            seen[doc] = rank + 1
            got.append((rank, -quote_score(hits, end - start), -terms, doc,
                        start))
        bad = [(g, w) for g, w in zip(got, sorted(got)) if g != w]
        assert not bad, (code, 'first out of order (rank, -score, -terms, '
                         'document, start), and where it belongs', bad[0])
        # the report: each document's best by score, the first of equal
        # ones; the three best of those, the first document of equal ones
        best = {}
        for g in got:
            b = best.get(g[3])
            if b is None or (g[1], g[4]) < (b[1], b[4]):
                best[g[3]] = g
        want = sorted(best.values(), key=lambda g: (g[1], order.index(g[3])))
        want = [(g[3], g[4]) for g in want[:3]]
        shown = [(q['document'], q['start']) for q in rep['quotes'][code]]
        assert shown == want, (code, shown, want)


# ------------------------------------------------------------ report rows


def heaviest(rows, n):
    """The names of the n heaviest of rows [(name, weight)] (the first of
    equal ones), in their own order."""
    pick = sorted(range(len(rows)), key=lambda i: (-rows[i][1], i))[:n]
    return [rows[i][0] for i in sorted(pick)]


def md_rows(md, start, end):
    """The first cells of the table between two headings of a md report."""
    sec = md[md.index(start):md.index(end)]
    lines = [l for l in sec.splitlines() if l.startswith('| ')]
    return sec, [l.split(' | ')[0][2:] for l in lines[1:]]


def weights(db=None):
    """Per document (name order) and per collectivité (first document's
    order) of project db (corpus/'s by default): coded segments of the
    top-level themes, from the JSON."""
    rep = jout('report', '-d', db or CDB, '-f', 'json')
    top = [t['code'] for t in rep['themes'] if t['parent'] is None]
    docs = [(d['document'], sum(d['codes'].get(c, 0) for c in top))
            for d in rep['by_document']]
    groups = {}
    for d in rep['by_document']:
        name = d['attributes'].get('collectivite', d['document'])
        groups.setdefault(name, 0)
        groups[name] += sum(d['codes'].get(c, 0) for c in top)
    return docs, list(groups.items())


def t_rows_cut():
    """--rows N: the matrix shows the N documents with the most coded
    segments and the grid the N collectivités (the first of equal ones),
    in their own order, each under a line that says so.  With 8, the rows
    kept are neither the first nor the last, and ties are cut."""
    docs, groups = weights()
    for n in (3, 8):
        want = heaviest(docs, n)
        assert want != [d for d, _ in docs][:n], 'proves little'
        assert n < 8 or want != [d for d, _ in docs][-n:], 'proves little'
        md = out('report', '-d', CDB, '-f', 'md', '--rows', str(n))
        sec, rows = md_rows(md, '## Themes by document',
                            '## Themes that go together')
        assert rows == want, (n, rows, want)
        assert ('The %d documents with the most coded segments (added up '
                'over these themes), of %d' % (n, len(docs))) in sec, sec[:600]
        sec, rows = md_rows(md, '## Synthesis grid', '## Verbatims')
        assert rows == heaviest(groups, n), (n, rows, heaviest(groups, n))
        assert ('The %d values of collectivite with the most coded segments '
                '(added up over these themes), of %d' % (n, len(groups))) in \
            sec, sec[:600]


def t_rows_all():
    """Under the limit, or with --rows all, every row and no line."""
    full = out('report', '-d', CDB)
    assert 'with the most coded segments' not in full
    for n in ('all', '18', '50'):
        assert out('report', '-d', CDB, '--rows', n) == full, n
    assert out('report', '-d', CDB, '--rows', '17') != full
    html = out('report', '-d', CDB, '-f', 'html', '--rows', '2')
    assert 'The 2 documents with the most' in html
    rep = jout('report', '-d', CDB, '-f', 'json', '--rows', '2')
    assert len(rep['by_document']) == 18, len(rep['by_document'])


def t_rows_many():
    """300 notes, 280 collectivités: --rows 260 (the rows sorted) and
    --rows 7 (kept as they come) pick the same heaviest rows as here."""
    notes = os.path.join(TMP, 'many')
    os.mkdir(notes)
    for i in range(300):
        paras = ['Le télétravail a été généralisé au service %d.' % k
                 for k in range((i * 37) % 11)]
        paras += ['Les masques sont arrivés le %d mai.' % (k + 1)
                  for k in range((i * 11) % 7)]
        paras.append('Rien à signaler.')
        with open(os.path.join(notes, 'n%03d.md' % i), 'w',
                  encoding='utf-8') as fh:
            fh.write('---\ncollectivite: C%03d\n---\n\n' % (i % 280) +
                     '\n\n'.join(paras) + '\n')
    db = os.path.join(TMP, 'many.db')
    out('init', '-d', db)
    out('add', '-d', db, notes)
    docs, groups = weights(db)
    assert len(docs) == 300 and len(groups) == 280, (len(docs), len(groups))
    for n in (260, 7):
        md = out('report', '-d', db, '-f', 'md', '--rows', str(n))
        _, rows = md_rows(md, '## Themes by document',
                          '## Themes that go together')
        assert rows == heaviest(docs, n), (n, rows[:10])
        _, rows = md_rows(md, '## Synthesis grid', '## Verbatims')
        assert rows == heaviest(groups, n), (n, rows[:10])


def t_percent_edges():
    """The themes table never shows 100 % for a theme some documents lack,
    nor 0 % for one some documents have: 200 of 201 notes, 1 of 201."""
    notes = os.path.join(TMP, 'pct')
    os.mkdir(notes)
    for i in range(201):
        text = 'Le télétravail a été généralisé en mars (%d).' % i
        if i == 200:
            text = 'La cellule de crise du maire (%d).' % i
        if i == 7:
            text += '\n\nLes masques sont arrivés.'
        with open(os.path.join(notes, 'p%03d.md' % i), 'w',
                  encoding='utf-8') as fh:
            fh.write('---\ntype: commune\n---\n' + text + '\n')
    db = os.path.join(TMP, 'pct.db')
    out('init', '-d', db)
    out('add', '-d', db, notes)
    rows = {r[0]: r for r in csv_rows(out('report', '-d', db, '-f', 'csv'))}
    assert rows['teletravail'][3] == '99.50', rows['teletravail']
    assert rows['sante'][2] == '1', rows['sante']
    md = out('report', '-d', db, '-f', 'md', '--codes', 'teletravail,sante')
    table = md[md.index('## Themes'):md.index('## Themes by document')]
    cells = {l.split(' | ')[0][2:].strip(): l.split(' | ')
             for l in table.splitlines() if l.startswith('| ')}
    assert cells['teletravail'][3].strip() == '99', cells['teletravail']
    assert cells['sante'][3].strip().replace('&lt;', '<') == '<1', \
        cells['sante']
    # compare rounds its shares alike: 200 of 201 segments, 1 of 201
    md = out('compare', '-d', db, '-f', 'md', '--by', 'type', '--codes',
             'teletravail,sante')
    md = md[md.index('## Coded segments'):md.index('## Rate per')]
    cells = {l.split(' | ')[0][2:].strip(): l.split(' | ')
             for l in md.splitlines() if l.startswith('| ')}
    assert cells['teletravail'][1].split()[:2] == ['200', '99%'], \
        cells['teletravail']
    assert cells['sante'][1].replace('&lt;', '<').split()[:2] == ['1', '<1%'], \
        cells['sante']


def t_specificity_no_minus_zero():
    """A specificity that rounds to zero at four decimals is 0 in JSON and
    CSV, not -0: a theme once in 10,002 segments, absent from a group of
    one segment (log10(1 - 1/10002))."""
    notes = os.path.join(TMP, 'minus0')
    os.mkdir(notes)
    with open(os.path.join(notes, 'a.md'), 'w', encoding='utf-8') as fh:
        fh.write('---\ntype: commune\n---\n' + 'Rien.\n\n' * 10000 +
                 'Le t\u00e9l\u00e9travail.\n')
    with open(os.path.join(notes, 'b.md'), 'w', encoding='utf-8') as fh:
        fh.write('---\ntype: ccas\n---\nRien encore.\n')
    db = os.path.join(TMP, 'minus0.db')
    out('init', '-d', db)
    out('add', '-d', db, notes)
    j = jout('compare', '-d', db, '-f', 'json', '--by', 'type', '--codes',
             'teletravail')
    groups = [g['value'] for g in j['groups']]
    cell = j['themes'][0]['cells'][groups.index('ccas')]
    raw = out('compare', '-d', db, '-f', 'json', '--by', 'type', '--codes',
              'teletravail')
    assert cell['segments'] == 0 and cell['specificity'] == 0, cell
    assert '-0,' not in raw and '-0}' not in raw, raw[-300:]
    rows = csv_rows(out('compare', '-d', db, '-f', 'csv', '--by', 'type',
                        '--codes', 'teletravail'))
    spec = [r[-1] for r in rows[1:] if r[1] == 'ccas']
    assert spec == ['0.0000'], spec



def t_specificity_under_two():
    """A specificity just under 2 (1.99998) is not rounded up to the
    threshold of a specific theme in JSON and CSV: 1.9999 and -1.9999,
    as the table's +1.99 with no marker."""
    notes = os.path.join(TMP, 'under2')
    os.mkdir(notes)
    for name, typ, n, k in (('a.md', 'commune', 20, 11),
                            ('b.md', 'epci', 42, 9)):
        with open(os.path.join(notes, name), 'w', encoding='utf-8') as fh:
            fh.write('---\ntype: %s\n---\n' % typ + ''.join(
                '- %s ligne %d\n' % ('la sant\u00e9' if i < k else 'rien', i)
                for i in range(n)))
    db = os.path.join(TMP, 'under2.db')
    out('init', '-d', db)
    out('add', '-d', db, notes)
    # the exact score: log10 of the hypergeometric tail, 1.99998...
    def lafon(f, F, t, T):
        up = f * T >= F * t
        ks = range(f, min(F, t) + 1) if up else range(max(0, t - (T - F)),
                                                       f + 1)
        p = sum(math.comb(F, k) * math.comb(T - F, t - k) for k in ks)
        v = math.log10(p) - math.log10(math.comb(T, t))
        return -v if up else v
    want = lafon(11, 20, 20, 62)
    assert 1.9999 < want < 2, want
    j = jout('compare', '-d', db, '-f', 'json', '--by', 'type', '--codes',
             'sante')
    groups = [g['value'] for g in j['groups']]
    cells = j['themes'][0]['cells']
    got = {g: cells[groups.index(g)]['specificity']
           for g in ('commune', 'epci')}
    assert got == {'commune': 1.9999, 'epci': -1.9999}, got
    rows = csv_rows(out('compare', '-d', db, '-f', 'csv', '--by', 'type',
                        '--codes', 'sante'))
    spec = sorted(r[-1] for r in rows[1:])
    assert spec == ['-1.9999', '1.9999'], spec
    text = out('compare', '-d', db, '--by', 'type', '--codes', 'sante')
    row = [l for l in text.splitlines() if l.startswith('sante ') and
           '%' in l]
    assert len(row) == 1 and '+1.99' in row[0] and '-1.99' in row[0] and \
        '\u25b2' not in row[0] and '\u25bc' not in row[0], text


def t_glance_tables():
    """The corpus tables: the most frequent values first (then in the
    order they come); with --rows 3, three and a row for the others."""
    rep = jout('report', '-d', CDB, '-f', 'json')
    for key, head in (('type', 'collectivités by type'),
                      ('role', 'people interviewed'),
                      ('enqueteur', 'interviewers')):
        counts = {}
        for d in rep['by_document']:
            v = d['attributes'].get(key)
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        first = list(counts)  # in the order they come
        want = sorted(first, key=lambda v: (-counts[v], first.index(v)))
        for rows, shown in ((None, want), ('3', want[:3])):
            args = ['report', '-d', CDB, '-f', 'md']
            md = out(*(args + (['--rows', rows] if rows else [])))
            sec = md[md.index('| %s |' % head):]
            sec = sec[:sec.index('\n\n')]
            got = [l.split(' | ') for l in sec.splitlines()[2:]]
            names = [g[0][2:] for g in got]
            if rows and len(want) > 3:
                rest = len(want) - 3
                tail = '(1 other value)' if rest == 1 else \
                    '(%d other values)' % rest
                assert names[-1] == tail, (key, names)
                assert int(got[-1][1].rstrip(' |')) == \
                    sum(counts[v] for v in want[3:]), (key, got[-1])
                names = names[:-1]
            assert names == shown, (key, rows, names, shown)


def t_out_is_project():
    """-o naming the project, by any path or a link, is refused and the
    project is left as it was, for every command that writes a file."""
    link = os.path.join(TMP, 'link-to-corpus.db')
    if not os.path.lexists(link):
        os.symlink(CDB, link)
    with open(CDB, 'rb') as fh:
        before = fh.read()
    rel = os.path.relpath(CDB, TMP)
    for args in (['report', '-o', CDB], ['report', '-o', './' + rel],
                 ['report', '-o', link], ['cooc', '-o', CDB],
                 ['compare', '--by', 'type', '-o', CDB],
                 ['quotes', 'sante', '-o', CDB],
                 ['kwic', 'masques', '-o', CDB],
                 ['export', '-f', 'csv', '-o', CDB],
                 ['export', '-f', 'qdpx', '-o', link],
                 ['report', '-o', CDB + '-shm'],
                 ['report', '-o', CDB + '-journal']):  # not there yet
        r = grille(*(args + ['-d', CDB]))
        assert r.returncode == 1, (args, r.returncode)
        assert b'is the project' in r.stderr, (args, r.stderr)
    # export -f csv to a folder writes three tables: one of them may be
    # the project (a link to it there; a project named documents.csv)
    folder = os.path.join(TMP, 'tables-link')
    os.makedirs(folder, exist_ok=True)
    if not os.path.lexists(os.path.join(folder, 'matrix.csv')):
        os.symlink(CDB, os.path.join(folder, 'matrix.csv'))
    named = os.path.join(TMP, 'documents.csv')
    shutil.copyfile(CDB, named)
    with open(named, 'rb') as fh:
        named_before = fh.read()
    for db, where in ((CDB, folder), (named, TMP)):
        r = grille('export', '-d', db, '-f', 'csv', '-o', where)
        assert r.returncode == 1, (db, where, r.returncode)
        assert b'is the project' in r.stderr, (db, where, r.stderr)
        assert not os.path.exists(os.path.join(where, 'codings.csv')), \
            'a table was written beside the refused one'
    with open(named, 'rb') as fh:
        assert fh.read() == named_before, 'documents.csv changed'
    with open(CDB, 'rb') as fh:
        assert fh.read() == before, 'the project changed'
    assert not os.path.exists(CDB + '-journal'), 'a -journal was written'
    out('list', '-d', CDB)


def t_out_replaced():
    """-o over a file: replaced whole, its permissions kept, no temporary
    file left; -n 0: no verbatims section."""
    path = os.path.join(TMP, 'kept.md')
    with open(path, 'w') as fh:
        fh.write('old\n')
    os.chmod(path, 0o640)
    out('report', '-d', CDB, '-f', 'md', '-n', '0', '-o', path)
    with open(path, encoding='utf-8') as fh:
        text = fh.read()
    assert text.startswith('# Theme report'), text[:80]
    assert '## Verbatims' not in text and 'No coded segment' not in text
    assert os.stat(path).st_mode & 0o777 == 0o640, oct(os.stat(path).st_mode)
    left = [f for f in os.listdir(TMP) if '.tmp-' in f]
    assert not left, left


def t_out_kinds():
    """-o where a rename would be wrong: /dev/stdout is appended to the
    redirected output; a link to a file not there creates that file; a
    file with a second name is written in place (both names see it); a
    name too long for a temporary suffix is still written."""
    sh = os.path.join(TMP, 'sh.txt')
    r = subprocess.run(['sh', '-c', '{ echo HEADER; "$0" report -d "$1" -f '
                        'csv -o /dev/stdout; echo FOOTER; } > "$2"', G, CDB,
                        sh], capture_output=True)
    assert r.returncode == 0, r.stderr
    with open(sh, encoding='utf-8') as fh:
        lines = fh.read().splitlines()
    assert lines[0] == 'HEADER' and lines[-1] == 'FOOTER' and \
        len(lines) > 5, lines[:3] + lines[-3:]
    sub = os.path.join(TMP, 'linked')
    os.makedirs(sub, exist_ok=True)
    dangling = os.path.join(TMP, 'dangling.csv')
    if not os.path.lexists(dangling):
        os.symlink(os.path.join(sub, 'target.csv'), dangling)
    out('report', '-d', CDB, '-f', 'csv', '-o', dangling)
    assert os.path.islink(dangling), 'the link was replaced'
    assert os.path.getsize(os.path.join(sub, 'target.csv')) > 100
    one, two = os.path.join(TMP, 'one.csv'), os.path.join(TMP, 'two.csv')
    with open(one, 'w') as fh:
        fh.write('old\n')
    if not os.path.exists(two):
        os.link(one, two)
    out('report', '-d', CDB, '-f', 'csv', '-o', one)
    assert os.path.samefile(one, two), 'the second name was cut off'
    with open(two, encoding='utf-8') as fh:
        assert fh.read().startswith('theme,'), 'two.csv is not the report'
    long = os.path.join(TMP, 'x' * 250 + '.csv')
    out('report', '-d', CDB, '-f', 'csv', '-o', long)
    assert os.path.getsize(long) > 100
    left = [f for f in os.listdir(TMP) if '.tmp-' in f]
    assert not left, left


def t_rows_bad():
    for v in ('0', '-3', 'x', '2.5', '', '1000001'):
        r = grille('report', '-d', CDB, '--rows', v)
        assert r.returncode == 2, (v, r.returncode)
        assert b"--rows takes a number" in r.stderr, (v, r.stderr)
    for args, rc, say in ((['-n', ''], 2, b'-n takes a number'),
                          (['--by', ''], 2, b'--by takes the name'),
                          (['--codes', ''], 1, b'--codes names no code'),
                          (['--codes', ','], 1, b'--codes names no code')):
        r = grille(*(['report', '-d', CDB] + args))
        assert r.returncode == rc and say in r.stderr, (args, r.returncode,
                                                        r.stderr)


# ----------------------------------------------------------------- quotes


def check_quote(code, q):
    assert q['text'] == span(q['document'], q['start'], q['end']), q
    s = segment_of(q['document'], q['text'])
    assert s, ('not a segment', q)
    assert s[3].get(code), ('not coded with %s' % code, q)
    assert q['hits'] == s[3][code], (q, 'hits', s[3][code])
    return s


def t_quotes_two():
    q = jout('quotes', '-d', DB, 'gamma', '-n', '2', '-f', 'json')
    qs = q['quotes']
    assert q['code'] == 'gamma' and len(qs) == 2, q
    assert qs[0]['document'] != qs[1]['document'], 'same document twice'
    for x in qs:
        check_quote('gamma', x)
    best = max(s[3].get('gamma', 0) for s in SEGS)
    assert qs[0]['hits'] == best, ('first quote', qs[0]['hits'], best)


def t_quotes_all():
    for code in CODES:
        qs = jout('quotes', '-d', DB, code, '-n', '50', '-f', 'json')['quotes']
        coded = [s for s in SEGS if s[3].get(code)]
        got = sorted((x['document'], x['text']) for x in qs)
        assert got == sorted((s[0], s[2]) for s in coded), (code, got)
        ndocs = len({s[0] for s in coded})
        first = [x['document'] for x in qs[:ndocs]]
        assert len(set(first)) == ndocs, (code, 'second quote of a '
                                          'document too early', first)
        for x in qs:
            check_quote(code, x)
        # the best of each document first
        for d in set(first):
            hits = [x['hits'] for x in qs if x['document'] == d]
            assert hits == sorted(hits, reverse=True), (code, d, hits)


def t_quotes_by(n):
    def fn():
        q = jout('quotes', '-d', DB, 'gamma', '--by', 'type', '-n', str(n),
                 '-f', 'json')
        assert q['by'] == 'type', q['by']
        per = {}
        for x in q['quotes']:
            check_quote('gamma', x)
            assert x['group'] == attr(x['document'], 'type'), x
            per.setdefault(x['group'], []).append(x)
        want = {}
        for v in GROUPS:
            avail = sum(1 for s in SEGS
                        if attr(s[0], 'type') == v and s[3].get('gamma'))
            if avail:
                want[v] = min(n, avail)
        got = {v: len(xs) for v, xs in per.items()}
        assert got == want, 'per group %r, want %r' % (got, want)
    return fn


def t_quotes_unknown():
    r = grille('quotes', '-d', DB, 'nope')
    err = r.stderr.decode()
    assert r.returncode == 1, (r.returncode, err)
    assert not r.stdout, r.stdout
    assert 'nope' in err and 'code' in err, err


def t_quotes_code_recoded_away():
    """A code a recode took out of the codebook, with no coding left, is
    no code of quotes, as of report --codes: said, exit 1 (it gave 0
    quotes)."""
    db = os.path.join(TMP, 'recoded.db')
    shutil.copy(DB, db)
    cb = os.path.join(TMP, 'alpha-only.yaml')
    with open(cb, 'w', encoding='utf-8') as f:
        f.write('themes:\n  alpha: {terms: [pomme]}\n')
    out('recode', '-d', db, '-c', cb)
    for args in (['quotes', 'beta'], ['report', '--codes', 'beta']):
        r = grille(*(args + ['-d', db]))
        assert r.returncode == 1 and not r.stdout and \
            b"no code 'beta' in the project" in r.stderr, (args, r)


def t_compare_no_by():
    r = grille('compare', '-d', DB)
    err = r.stderr.decode()
    assert r.returncode == 2, (r.returncode, err)
    assert '--by' in err, err


# ------------------------------------------------------------------- kwic


def t_kwic(pattern):
    def fn():
        k = jout('kwic', '-d', DB, pattern, '-f', 'json')
        assert k['pattern'] == pattern, k['pattern']
        got = [[m['document'], m['match']] for m in k['matches']]
        assert got == EXP['kwic'][pattern], 'got %r' % got
        for m in k['matches']:
            assert m['match'] == span(m['document'], m['start'], m['end']), m
    return fn


def t_kwic_contexts():
    """kwic's contexts: in JSON the text itself, as much as -w allows (no
    "…" added); in the table, a context that -w cut starts or ends with
    "…", on the left as on the right."""
    k = jout('kwic', '-d', DB, 'poire', '-w', '8', '-f', 'json')
    cuts = 0
    for m in k['matches']:
        raw = note_text(m['document'])
        before = ' '.join(raw[max(0, m['start'] - 400):m['start']]
                          .decode('utf-8', 'ignore').split())
        after = ' '.join(raw[m['end']:m['end'] + 400]
                         .decode('utf-8', 'ignore').split())
        assert before.endswith(m['left']), (m['left'], before[-40:])
        assert after.startswith(m['right']), (m['right'], after[:40])
        assert len(m['left']) <= 8 and len(m['right']) <= 8, m
        cuts += len(m['left']) == 8
    assert cuts, 'no left context was cut at 8: the check checks nothing'
    text = out('kwic', '-d', DB, 'poire', '-w', '8')
    assert re.search(r'  \u2026\S', text), text
    assert re.search(r'\S\u2026\n', text), text


def t_kwic_text_count():
    text = out('kwic', '-d', DB, 'poire')
    want = EXP['kwic']['poire']
    line = '%d matches in %d of %d documents.' % (
        len(want), len({d for d, _ in want}), len(EXP['documents']))
    assert line in text, 'want %r, got %r' % (
        line, re.findall(r'.*matches in.*', text))


# -------------------------------------------------------------------- run


def main():
    check('init the fixture project', t_init)
    check('add the fixture notes', t_add)
    check('fixtures: hand coding = grille tag (segments, codes, hits, words)',
          t_fixture_coding)
    check('report json: documents, segments, words, coded, hits',
          t_report_totals)
    check('report json: themes documents/segments/hits (children rolled up)',
          t_report_themes)
    check('report json: per_1000_words = 1000 hits / words', t_report_rates)
    check('report json: by_document words, segments, attributes, codes',
          t_report_by_document)
    check('report json: cooccurrence = cooc -f json', t_report_cooc)
    check('report json: quotes from different documents, coded segments',
          t_report_quotes)
    check('report csv: themes table figures', t_report_csv)
    check('report: the codebook by source and SHA-256, after a recode too',
          t_report_codebook)
    for level in ('segment', 'document'):
        check('cooc json %s: level, codes, n, count' % level,
              t_cooc_counts(level))
        check('cooc json %s: jaccard to 1e-6' % level,
              t_cooc_index(level, 'jaccard', 1e-6))
        check('cooc json %s: lift to 1e-6' % level,
              t_cooc_index(level, 'lift', 1e-6))
        check('cooc csv %s: pairs, count, Jaccard, lift, P(B|A), P(A|B)'
              % level, t_cooc_csv(level))
    check('cooc --codes alpha,beta: the restriction', t_cooc_restricted)
    check('cooc --all --level document: sub-themes included', t_cooc_all)
    check('cooc --all: no theme ranked with its own sub-theme, the CSV '
          'keeps them', t_cooc_lineage)
    check('fixtures: specific and banal cells exist', t_fixture_specific)
    check('compare json: groups documents/segments/words', t_compare_groups)
    check('compare json: cells documents and segments', t_compare_counts)
    check('compare json: share and per_1000_words', t_compare_rates)
    check('compare json: specificity (exact Lafon) to 1e-4',
          t_compare_specificity)
    check('compare csv: every cell', t_compare_csv)
    check('an attribute no document has: a warning, for compare and report',
          t_unknown_by)
    check('compare text: cells and ▲/▼ exactly where |score| >= 2',
          t_compare_text)
    check('compare md: cells and ▲/▼ exactly where |score| >= 2',
          t_compare_md)
    check('compare text: the specific themes listed', t_compare_specific_list)
    for args in (['report'], ['cooc'], ['cooc', '--level', 'document'],
                 ['compare', '--by', 'type'], ['quotes', 'gamma'],
                 ['kwic', 'poire']):
        check('text fits %d columns: %s' % (WIDTH, ' '.join(args)),
              t_width(DB, *args))
    check('html report: note text escaped, well-formed, no script', t_html)
    check('md report: < escaped, tables keep their columns', t_md)
    check('quotes csv: formula-like cells prefixed with \'', t_quotes_csv_safe)
    check('report csv: formula-like cells prefixed with \'',
          t_report_csv_safe)
    check('report json --codes: their verbatims only', t_json_quotes_codes)
    check('kwic: contexts as they are in JSON, cut ones marked in the table',
          t_kwic_contexts)
    check('kwic csv: a formula-like left context prefixed with \'',
          t_kwic_csv_safe)
    check('json keeps =SUM(1) and =Beta unprefixed', t_json_raw)
    check('quotes -n 2: two documents, segment text, best first',
          t_quotes_two)
    check('quotes: every coded segment once, one per document first',
          t_quotes_all)
    check('quotes --by type -n 1: at most 1 per group', t_quotes_by(1))
    check('quotes --by type -n 2: at most 2 per group', t_quotes_by(2))
    check('quotes of an unknown code: exit 1, names it', t_quotes_unknown)
    check('compare without --by: exit 2', t_compare_no_by)
    check('quotes of a code a recode took away: exit 1, as report',
          t_quotes_code_recoded_away)
    for pattern in EXP['kwic']:
        check('kwic %s: matches and their text' % pattern, t_kwic(pattern))
    check('kwic text: the count of matches and of documents',
          t_kwic_text_count)
    check('corpus project with the bundled codebook', t_corpus_project)
    check('compare --by region text: numbers whole, headers cut to fit',
          t_compare_numbers_whole)
    check('an empty attribute value is no value: grouped with (none)',
          t_empty_value_is_none)
    check('corpus: report themes = sums of grille tag summaries',
          t_corpus_consistent)
    check('corpus: cooc text rounds half up', t_corpus_cooc_text_half_up)
    check('corpus: md and html keep sub-themes indented, numbers as they are',
          t_corpus_md_html_subthemes)
    check('a heading of a long value fits the page', t_long_heading_cut)
    check('a quote\'s closing mark stays with its word',
          t_quote_marks_keep_their_word)
    check('compare text: no -0.0', t_compare_text_no_minus_zero)
    check('CSV: ties rounded half up from the counts, to six decimals',
          t_csv_ties_from_counts)
    check('ties rounded half up from the counts; compare of no documents',
          t_ties_from_counts)
    check('corpus: quotes and the report\'s verbatims in the documented '
          'order', t_corpus_quote_order)
    check('report --rows 3: the heaviest documents and collectivités',
          t_rows_cut)
    check('report --rows all, or more rows than there are: every row',
          t_rows_all)
    check('report --rows 0, -3, x..., -n \'\', --by \'\', --codes \'\': refused',
          t_rows_bad)
    check('report --rows 260 and 7 of 300 notes: the heaviest rows',
          t_rows_many)
    check('corpus tables: most frequent first; --rows 3 and the others',
          t_glance_tables)
    check('themes table: 99 and <1, never 100 or 0 for some documents',
          t_percent_edges)
    check('compare: no -0 specificity in JSON and CSV',
          t_specificity_no_minus_zero)
    check('compare: a specificity just under 2 is not 2 in JSON and CSV',
          t_specificity_under_two)
    check('quotes: distinct words without case nor accents',
          t_quotes_terms_folded)
    check('kwic: the whole match in JSON and CSV, accents kept with letters',
          t_kwic_whole_match_in_data)
    check('-o the project (by a path, a link, its -shm): refused, kept',
          t_out_is_project)
    check('-o over a file: replaced, its mode kept; -n 0: no verbatims',
          t_out_replaced)
    check('-o /dev/stdout, a dangling link, a hard link, a long name',
          t_out_kinds)
    for args in (['report'], ['cooc'], ['cooc', '--all'],
                 ['compare', '--by', 'type', '--all'],
                 ['quotes', 'sante', '--by', 'type']):
        check('corpus text fits %d columns: %s' % (WIDTH, ' '.join(args)),
              t_width(CDB, *args))
    status = plan()
    shutil.rmtree(TMP, ignore_errors=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
