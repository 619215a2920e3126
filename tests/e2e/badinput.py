#!/usr/bin/env python3
"""The bad-input matrix: grille facing broken notes, codebooks and projects.

Every case runs the real binary in a temporary folder and checks the exact
outcome: the exit status, the message (with the file, the location — byte
offset, line, column — where there is one, and the offending value), and
that nothing else changed.

- Notes, through `grille tag FILE` and `grille add -d P FILE` into a project
  that already holds one good note: empty and blank files, a 50 MB single
  line (time, memory, valid JSON), NUL bytes, invalid and truncated UTF-8,
  UTF-16 LE/BE and Windows-1252 (converted, offsets right), CR-only line
  ends, a UTF-8 BOM before a front matter, an unterminated front matter,
  a front matter that is not YAML, a folder, an unreadable file, a missing
  file, symlink loops in a folder, stdout or stderr closed by the caller.
  After each failing add the project
  passes integrity_check and holds the same documents and codings, byte
  for byte, with no journal and no WAL content left next to it.
- Codebooks, through `grille codebook check` and `grille tag -c`: a YAML
  alias bomb, 10,000 themes, nesting 1,000 deep, catastrophic regexes on a
  30,000-letter line, an invalid regex, duplicate ids, a non-UTF-8 file.
- Projects: a text file, another SQLite database, a project from a newer
  grille, a read-only project (run as user nobody), a full disk (ulimit -f),
  a damaged page.  Each command fails with a message naming the project
  file, exits 1, and leaves the project as it was.

Needs root for the cases run as nobody (skipped otherwise).  Prints TAP;
exits 1 when a check fails.
"""
import glob
import hashlib
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
import time

G = os.environ['GRILLE']
S = os.environ['GRILLE_SOURCE_DIR']
CORPUS = sorted(glob.glob(os.path.join(S, 'corpus', '*')))
TMP = tempfile.mkdtemp(prefix='grille-badinput-')
os.chmod(TMP, 0o755)  # user nobody must reach the files of some cases
TIME = '/usr/bin/time' if os.access('/usr/bin/time', os.X_OK) else None
ROOT = os.geteuid() == 0
NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']
ENV = dict(os.environ, LC_ALL='C.UTF-8', NO_COLOR='1')
ENV.pop('GRILLE_DB', None)
ENV.pop('LANGUAGE', None)
results = []


class Skip(Exception):
    pass


def check(name, fn):
    skip = None
    try:
        why = fn()
    except Skip as e:
        why, skip = None, str(e)
    except Exception as e:  # a failed assertion or a crash of the check
        why = '%s: %s' % (type(e).__name__, e)
    results.append((name, why))
    if why:
        print('not ok %d - %s: %s' % (len(results), name, why))
    elif skip:
        print('ok %d - %s # SKIP %s' % (len(results), name, skip))
    else:
        print('ok %d - %s' % (len(results), name))
    sys.stdout.flush()


# ------------------------------------------------------------ running grille

class Run:
    def __init__(self, args):
        self.args = args
        self.returncode = None
        self.stdout = b''
        self.stderr = b''
        self.timed_out = False
        self.seconds = 0.0
        self.maxrss_kb = None

    @property
    def err(self):
        return self.stderr.decode('utf-8', 'replace')

    @property
    def out(self):
        return self.stdout.decode('utf-8', 'replace')

    def __repr__(self):
        if self.timed_out:
            return 'grille %s: no answer after %.0f s' % (
                ' '.join(self.args), self.seconds)
        return 'grille %s: exit %r, stdout %r, stderr %r' % (
            ' '.join(self.args), self.returncode, self.out[-300:],
            self.err[-600:])


def grille(*args, timeout=30, nobody=False, ulimit_f=None, measure=False,
           stdout_file=None, ulimit_v=None):
    """Run grille in TMP; kill its whole process group after timeout."""
    args = [str(a) for a in args]
    run = Run(args)
    cmd = [G] + args
    memfile = None
    if measure and TIME:
        memfile = os.path.join(TMP, '.maxrss')
        cmd = [TIME, '-f', '%M', '-o', memfile] + cmd
    if ulimit_f is not None:
        cmd = ['bash', '-c', 'ulimit -f %d; exec "$@"' % ulimit_f,
               'bash'] + cmd
    if ulimit_v is not None:
        cmd = ['bash', '-c', 'ulimit -v %d; exec "$@"' % ulimit_v,
               'bash'] + cmd
    if nobody:
        cmd = NOBODY + cmd
    out = open(stdout_file, 'wb') if stdout_file else subprocess.PIPE
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=TMP, env=ENV, stdout=out,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        o, e = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        o, e = p.communicate()
        run.timed_out = True
    run.seconds = time.monotonic() - t0
    if stdout_file:
        out.close()
    run.stdout, run.stderr = o or b'', e or b''
    run.returncode = p.returncode
    if memfile and not run.timed_out:
        with open(memfile) as f:
            lines = [l for l in f.read().split('\n') if l.strip()]
        # /usr/bin/time adds "Command exited with non-zero status N"
        run.maxrss_kb = int(lines[-1])
        os.unlink(memfile)
    return run


def expect(run, status, stderr, stdout=None, seconds=None):
    """stderr and stdout are regexes matched against the whole stream."""
    if run.timed_out:
        raise AssertionError('hangs: %r' % run)
    if run.returncode < 0:
        raise AssertionError('killed by signal %d: %r' % (-run.returncode,
                                                          run))
    if run.returncode != status:
        raise AssertionError('exit %d, want %d: %r' % (run.returncode,
                                                       status, run))
    if not re.fullmatch(stderr, run.err):
        raise AssertionError('stderr %r does not match %r' % (run.err[:800],
                                                              stderr))
    if stdout is not None and not re.fullmatch(stdout, run.out):
        raise AssertionError('stdout %r does not match %r' % (
            run.out[:800], stdout))
    if seconds is not None and run.seconds > seconds:
        raise AssertionError('took %.1f s, want < %d s' % (run.seconds,
                                                           seconds))


def esc(s):
    return re.escape(s)


def write(name, data):
    path = os.path.join(TMP, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode('utf-8'))
    return name


def tag_json(*args, **kw):
    run = grille('tag', '-f', 'json', *args, **kw)
    expect(run, 0, r'(grille: warning: [^\n]*\n)*')
    docs = [json.loads(l) for l in run.out.splitlines()]
    return run, docs


# ------------------------------------------------------- reading a project

def snapshot(db):
    """What must not change: bytes, journal and WAL, what SQLite sees.

    The project is read from a private copy, so that reading it never
    creates or removes a file next to it."""
    path = os.path.join(TMP, db)
    snap = {}
    with open(path, 'rb') as f:
        snap['sha256'] = hashlib.sha256(f.read()).hexdigest()
    # A reader may leave SQLite's empty -wal and its -shm index; what must
    # not appear is a journal or a WAL holding pages.
    snap['journal'] = os.path.exists(path + '-journal')
    wal = path + '-wal'
    snap['wal_bytes'] = os.path.getsize(wal) if os.path.exists(wal) else 0
    scratch = tempfile.mkdtemp(dir=TMP, prefix='.snap-')
    try:
        copy = os.path.join(scratch, 'copy.db')
        shutil.copyfile(path, copy)
        if os.path.exists(path + '-wal'):
            shutil.copyfile(path + '-wal', copy + '-wal')
        con = sqlite3.connect(copy)
        try:
            snap['integrity'] = '; '.join(
                r[0] for r in con.execute('PRAGMA integrity_check'))
            snap['documents'] = con.execute(
                'SELECT id, name, sha256 FROM documents ORDER BY id'
            ).fetchall()
            snap['codings'] = con.execute(
                'SELECT count(*) FROM codings').fetchone()[0]
            snap['user_version'] = con.execute(
                'PRAGMA user_version').fetchone()[0]
        except sqlite3.DatabaseError as e:
            snap.setdefault('integrity', 'DatabaseError: %s' % e)
        finally:
            con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return snap


def same_project(before, after, ok_integrity=True):
    if ok_integrity and after.get('integrity') != 'ok':
        raise AssertionError('integrity_check after: %s' %
                             after.get('integrity'))
    for k in ('documents', 'codings', 'integrity', 'user_version', 'journal',
              'wal_bytes', 'sha256'):
        if before.get(k) != after.get(k):
            raise AssertionError('the project changed: %s was %r, is %r' % (
                k, before.get(k), after.get(k)))


def fresh(name):
    """A copy of the base project (one good note) for one case."""
    db = os.path.join('pj', name + '.db')
    shutil.copyfile(os.path.join(TMP, BASE), os.path.join(TMP, db))
    return db


def db_rows(db, sql, *params):
    before = snapshot(db)  # also proves the copy reads
    scratch = tempfile.mkdtemp(dir=TMP, prefix='.rows-')
    try:
        copy = os.path.join(scratch, 'copy.db')
        shutil.copyfile(os.path.join(TMP, db), copy)
        if os.path.exists(os.path.join(TMP, db + '-wal')):
            shutil.copyfile(os.path.join(TMP, db + '-wal'), copy + '-wal')
        con = sqlite3.connect(copy)
        rows = con.execute(sql, params).fetchall()
        con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert before['integrity'] == 'ok', before['integrity']
    return rows


def failed_add(db, name, message):
    """add of one bad file into the project fails and changes nothing."""
    before = snapshot(db)
    run = grille('add', '-d', db, name)
    expect(run, 1,
           'grille: %s\ngrille: 1 file could not be added:\n  %s\n' % (
               message, esc(name)),
           'added 0 documents to %s, 1 failed\n' % esc(db))
    same_project(before, snapshot(db))


# ------------------------------------------------------------------- setup

os.makedirs(os.path.join(TMP, 'pj'))
os.chmod(os.path.join(TMP, 'pj'), 0o755)
GOOD = 'good.md'
shutil.copyfile(CORPUS[0], os.path.join(TMP, GOOD))
BASE = 'base.db'
if ROOT:
    import pwd
    import grp
    NOBODY_UID = pwd.getpwnam('nobody').pw_uid
    NOBODY_GID = grp.getgrnam('nogroup').gr_gid


def t_setup():
    expect(grille('init', '-d', BASE), 0, '', r'created project .*\n')
    expect(grille('add', '-d', BASE, GOOD), 0, '',
           'added 1 document to base.db\n')
    snap = snapshot(BASE)
    assert snap['integrity'] == 'ok' and len(snap['documents']) == 1, snap
    assert snap['codings'] > 0, snap
    assert not os.path.exists(os.path.join(TMP, BASE + '-wal')), 'WAL left'


# ------------------------------------------------------------------ notes

TELE = 'télétravail'


def assert_no_text_warning(run, name, why):
    """tag codes a note with nothing to code, and says that add will not
    take it."""
    want = 'grille: warning: %s: no text to code (%s); ' \
           "'grille add' refuses it\n" % (name, why)
    assert run.err == want, run.err


def t_front_matter_only():
    name = write('front-only.md', '---\ntype: commune\n---\n\n \n')
    run, docs = tag_json(name)
    assert_no_text_warning(run, name,
                           'only white space after the front matter')
    assert docs[0]['document']['attributes'] == {'type': 'commune'}, docs
    failed_add(fresh('front-only'), name,
               esc(name) + r': no text to code \(only white space after '
               r'the front matter\)')


def t_empty():
    name = write('empty.md', b'')
    run, docs = tag_json(name)
    assert_no_text_warning(run, name, 'empty file')
    assert docs[0]['segments'] == [] and docs[0]['codings'] == [], docs
    assert docs[0]['document']['bytes'] == 0, docs[0]['document']
    failed_add(fresh('empty'), name,
               esc(name) + r': no text to code \(empty file\)')


def t_blank():
    name = write('blank.md', ' \t\n\n  \r\n\f\v\n')
    run, docs = tag_json(name)
    assert_no_text_warning(run, name, 'only white space')
    assert docs[0]['segments'] == [] and docs[0]['codings'] == [], docs
    failed_add(fresh('blank'), name,
               esc(name) + r': no text to code \(only white space\)')


def t_blank_nbsp():
    """text.md: non-breaking spaces count as blank, as tag shows."""
    name = write('blank-nbsp.md', ' \u00a0\n\n\u202f \n')
    run, docs = tag_json(name)
    assert_no_text_warning(run, name, 'only white space')
    assert docs[0]['segments'] == [] and docs[0]['codings'] == [], docs
    assert docs[0]['document']['words'] == 0, docs[0]['document']
    failed_add(fresh('blank-nbsp'), name,
               esc(name) + r': no text to code \(only white space\)')


BIG_UNIT = TELE + ' '
BIG_BYTES = 50 * 1000 * 1000


def t_big_linear():
    """A 1 MB line: tag time must grow linearly with the codings."""
    n = 1000 * 1000 // len(BIG_UNIT.encode())
    name = write('big1m.md', BIG_UNIT * n)
    run = grille('tag', '-f', 'json', name, timeout=10,
                 stdout_file=os.path.join(TMP, 'big1m.json'))
    os.unlink(os.path.join(TMP, 'big1m.json'))
    os.unlink(os.path.join(TMP, name))
    if run.timed_out:
        BIG['probe'] = ('a 1 MB line of %r (%d codings in one segment) '
                        'took more than 10 s' % (BIG_UNIT, n))
        raise AssertionError(BIG['probe'] + ': time is superlinear')
    expect(run, 0, '', '')


BIG = {}


def validate_big(path, n, unit):
    """Parse the JSON of the big line without keeping 4 million dicts.

    grille cuts a paragraph longer than 64 KiB at a space into segments of
    at most 64 KiB (docs/text.md): the line comes back as consecutive
    segments, each on line 1, that put end to end give the line back."""
    ub = len(unit.encode())
    word = unit.strip()
    wb = len(word.encode())
    seen = [0]
    last_seg = [0]
    bad = []

    def hook(pairs):
        if pairs and pairs[0][0] == 'segment' and pairs[1][0] == 'code':
            d = dict(pairs)
            k = seen[0]
            want = {'code': 'teletravail', 'start': k * ub,
                    'end': k * ub + wb, 'term': word, 'rule': word}
            seg = d.pop('segment')
            if (d != want or seg < last_seg[0]) and not bad:
                bad.append('coding %d is %r (segment %d), want %r' % (
                    k, d, seg, want))
            last_seg[0] = seg
            seen[0] += 1
            return None
        return dict(pairs)

    with open(path, 'rb') as f:
        data = f.read()
    assert data.endswith(b'\n') and data.count(b'\n') == 1, 'not one line'
    doc = json.loads(data, object_pairs_hook=hook)
    del data
    assert not bad, bad[0]
    segs = doc['segments']
    assert len(segs) >= (n * ub) // 65536, '%d segments' % len(segs)
    end = 0
    for i, s in enumerate(segs):
        assert s['index'] == i and s['line'] == 1, (i, s['index'], s['line'])
        assert s['start'] in (end, end + 1), ('gap before segment', i)
        assert s['end'] - s['start'] <= 65536, ('segment too long', i)
        end = s['end']
    assert segs[0]['start'] == 0 and end == n * ub - 1, (segs[0]['start'],
                                                         end)
    assert sum(len(s['text'].encode()) for s in segs) + len(segs) - 1 == \
        n * ub - 1
    assert doc['document']['words'] == n, doc['document']
    want = n if word == TELE else 0
    assert seen[0] == want, '%d codings, want %d' % (seen[0], want)
    if want:
        assert doc['summary'] == {'teletravail': {'segments': len(segs),
                                                  'hits': n}}, doc['summary']


def t_long_paragraph_proximity():
    """A long paragraph where a proximity rule meets thousands of pairs
    and its theme's exclusion thousands of spans: coded in moments (each
    partner is checked against the exclusions once, not once per pair)."""
    name = write('longprox.md', 'la mairie a rouvert, fermée '
                 'définitivement ; ' * 3000)
    cb = write('longprox.yaml', 'themes:\n  p: {near: ["mairie ~3 fermée"],'
               ' exclude: [fermée définitivement]}\n')
    for args in (('-c', cb), ()):
        run = grille('tag', '-f', 'json', *args, name, timeout=60)
        expect(run, 0, '', r'(?s)\{.*')


def t_big_tag():
    n = BIG_BYTES // len(BIG_UNIT.encode())
    if 'probe' in BIG:
        raise AssertionError('not run (it would take hours): ' +
                             BIG['probe'])
    name = write('big50.md', BIG_UNIT * n)
    size = os.path.getsize(os.path.join(TMP, name))
    out = os.path.join(TMP, 'big50.json')
    try:
        run = grille('tag', '-f', 'json', name, timeout=120, measure=True,
                     stdout_file=out)
        expect(run, 0, '', '')
        BIG['memory'] = (size, run.maxrss_kb, BIG_UNIT)
        validate_big(out, n, BIG_UNIT)
    finally:
        for p in (out, os.path.join(TMP, name)):
            if os.path.exists(p):
                os.unlink(p)


def closed_fd(fd, *args):
    """grille run with descriptor fd (1 or 2) closed: (status, the other
    stream)."""
    cmd = ['bash', '-c', 'exec "$@" %d>&-' % fd, 'bash', G] + list(args)
    p = subprocess.run(cmd, cwd=TMP, env=ENV, capture_output=True,
                       timeout=120)
    return p.returncode, p.stderr if fd == 1 else p.stdout


def t_closed_std_fds():
    """stdout or stderr closed by the caller: a note large enough to be
    coded in two passes spooled its codings to a file that took fd 1 or 2,
    and the output (or the conversion's warning) written into that file
    made the second pass read garbage: a segfault."""
    unit = 'santé masques élus ' * 10 + '\n\n'
    name = write('closed.md', unit * 30000)  # 6.4 MB: two passes
    cp = write('closed1252.md', (unit * 30000).encode('cp1252'))
    try:
        for fmt in ('text', 'json', 'csv'):
            rc, err = closed_fd(1, 'tag', '-f', fmt, name)
            if rc != 1 or b'cannot write the output' not in err:
                raise AssertionError('stdout closed, -f %s: exit %d, %r' %
                                     (fmt, rc, err[-300:]))
        want = grille('tag', '-f', 'json', cp)
        expect(want, 0, r'grille: warning: [^\n]*Windows-1252[^\n]*\n')
        rc, out = closed_fd(2, 'tag', '-f', 'json', cp)
        if rc != 0 or out != want.stdout:
            raise AssertionError('stderr closed: exit %d, %d bytes out, '
                                 'want %d' % (rc, len(out), len(want.stdout)))
    finally:
        for n in (name, cp):
            os.unlink(os.path.join(TMP, n))


def sanitized():
    """Whether grille was built with AddressSanitizer (which multiplies
    its memory: the memory bound is then not measured)."""
    try:
        out = subprocess.run(['ldd', G], capture_output=True, text=True)
        return 'libasan' in out.stdout
    except OSError:
        return False


def t_big_memory():
    if not TIME:
        raise Skip('no /usr/bin/time')
    if sanitized():
        raise Skip('grille is built with AddressSanitizer')
    unit = 'bonjour '
    n = BIG_BYTES // len(unit)
    name = write('big50-plain.md', unit * n)
    size = os.path.getsize(os.path.join(TMP, name))
    out = os.path.join(TMP, 'big50-plain.json')
    try:
        run = grille('tag', '-f', 'json', name, timeout=120, measure=True,
                     stdout_file=out)
        expect(run, 0, '', '')
        validate_big(out, n, unit)
    finally:
        for p in (out, os.path.join(TMP, name)):
            if os.path.exists(p):
                os.unlink(p)
    # At most twice the file and 64 MB, plus, when every word is coded,
    # the codings of a run (grille_analyser_codings: 40 bytes each), which
    # the API hands back whole.
    over = []
    for (sz, kb, u) in [(size, run.maxrss_kb, unit)] + (
            [BIG['memory']] if 'memory' in BIG else []):
        codings = sz // len(u.encode()) if u.strip() == TELE else 0
        limit = (2 * sz + 64 * 1024 * 1024 + 40 * codings) // 1024
        if kb > limit:
            over.append('%d MB line of %r: peak %d MB, limit %d MB' % (
                sz // 10**6, u, kb // 1024, limit // 1024))
    assert not over, '; '.join(over)


def t_out_of_memory():
    """tag (one thread and two) of a 13 MB note whose every line is coded,
    add of 1,000 notes into a new project (the first import, under a
    rollback journal) and report on them, each under address-space limits
    from too small to enough: every run ends with exit 0, or with exit 1
    and 'out of memory' said, never a crash (SIGABRT was how the
    command's own allocations failed); a failed add leaves the project
    empty, and the next command reads it."""
    if sanitized():
        raise Skip('grille is built with AddressSanitizer')
    line = '- télétravail et masques pour les élus, réunion à distance\n'
    name = write('oom.md', line * (13 * 10**6 // len(line.encode())))
    rnd = random.Random(7)
    words = ['télétravail', 'masques', 'élus', 'agents', 'santé', 'réunion',
             'distance', 'maire', 'conseil', 'accueil', 'public', 'budget']
    for i in range(1000):
        write('oomnotes/n%04d.md' % i,
              '---\ntype: %s\nrole: DGS\ncollectivite: C%d\n---\n' % (
                  rnd.choice(['commune', 'departement', 'ccas']), i % 150) +
              ''.join('- %s\n' % ' '.join(rnd.choice(words)
                                          for _ in range(8))
                      for _ in range(5)))
    said = re.compile(r'(?s).*grille: (\S+: )?out of memory.*')
    outcomes = {'tag': set(), 'add': set(), 'report': set()}
    bad = []

    def check_run(what, mb, run):
        outcomes[what].add(run.returncode)
        ok = run.returncode == 0 or (run.returncode == 1 and said.match(
            run.stderr.decode('utf-8', 'replace')))
        if not ok:
            bad.append('%s at %d MB: exit %d, %r' % (
                what, mb, run.returncode, run.stderr[-200:]))
        return ok

    def documents(db):
        run = grille('list', '-d', db, '-f', 'csv')
        return run.stdout.count(b'\n') - 1 if run.returncode == 0 else -1

    try:
        for args in (['tag', '-f', 'json'], ['tag', '-f', 'csv', '-j', '2']):
            for mb in range(20, 150, 10):
                check_run('tag', mb, grille(
                    *(args + [name]), timeout=120, ulimit_v=mb * 1024,
                    stdout_file=os.path.join(TMP, 'oom.out')))
        db = os.path.join('pj', 'oom.db')
        for mb in range(14, 46, 2):
            for f in glob.glob(os.path.join(TMP, db) + '*'):
                os.unlink(f)
            expect(grille('init', '-d', db), 0, '', None)
            run = grille('add', '-d', db, 'oomnotes', timeout=120,
                         ulimit_v=mb * 1024)
            if check_run('add', mb, run):
                n = documents(db)
                if n != (1000 if run.returncode == 0 else 0):
                    bad.append('add at %d MB: exit %d, then %d documents' % (
                        mb, run.returncode, n))
        if documents(db) != 1000:
            expect(grille('add', '-d', db, 'oomnotes', timeout=120), 0, '',
                   None)
        for mb in range(8, 40, 2):
            check_run('report', mb, grille('report', '-d', db, timeout=120,
                                           ulimit_v=mb * 1024))
        assert not bad, '; '.join(bad)
        # each sweep reached both ends: some runs failed, some went through
        for what, seen in outcomes.items():
            assert seen == {0, 1}, (what, seen)
    finally:
        for n in (name, 'oom.out'):
            if os.path.exists(os.path.join(TMP, n)):
                os.unlink(os.path.join(TMP, n))
        shutil.rmtree(os.path.join(TMP, 'oomnotes'), ignore_errors=True)


PREFIX = 'Bonjour le télétravail.\n\n'  # 27 bytes


def t_nul():
    name = write('nul.md', PREFIX.encode() + b'ab\x00cd\n')
    msg = esc(name) + ': NUL byte at byte 29: refusing a binary file'
    expect(grille('tag', name), 1, 'grille: %s\n' % msg, '')
    failed_add(fresh('nul'), name, msg)


def t_invalid_utf8():
    name = write('invalid.md', PREFIX.encode() + b'une \xff ligne \xc3\xa9\n')
    msg = esc(name) + r':3:5: invalid UTF-8 at byte 31 \(0xFF\)'
    expect(grille('tag', name), 1, 'grille: %s\n' % msg, '')
    failed_add(fresh('invalid'), name, msg)


def t_truncated_utf8():
    name = write('truncated.md', PREFIX.encode() + b'fin \xc3')
    msg = esc(name) + r':3:5: truncated UTF-8 sequence at byte 31 \(0xC3\)'
    expect(grille('tag', name), 1, 'grille: %s\n' % msg, '')
    failed_add(fresh('truncated'), name, msg)


CONVERTED = ('Q : Et le travail ?\r\nR : Le télétravail a été généralisé, '
             'c’est une œuvre commune.\r\n\r\nDGS : le télétravail.\r\n')


def converted_case(case, data, encoding, text):
    """tag and add of a file grille must convert to UTF-8."""
    name = write(case + '.md', data)
    warn = 'grille: warning: %s: converted from %s to UTF-8\n' % (
        esc(name), esc(encoding))
    run, docs = tag_json(name)
    expect(run, 0, warn)
    doc = docs[0]
    utf8 = text.encode('utf-8')
    assert doc['document']['bytes'] == len(utf8), doc['document']
    where = [m.start() for m in re.finditer(TELE.encode(), utf8)]
    tele = [(c['start'], c['end']) for c in doc['codings']
            if c['code'] == 'teletravail']
    assert tele == [(w, w + len(TELE.encode())) for w in where], (
        tele, where)
    for c in doc['codings']:
        got = utf8[c['start']:c['end']].decode('utf-8')
        assert got.lower() == c['term'].lower(), (c, got)
    for s in doc['segments']:
        assert utf8[s['start']:s['end']].decode() == s['text'], s
    db = fresh(case)
    run = grille('add', '-d', db, name)
    expect(run, 0, warn, 'added 1 document to %s\n' % esc(db))
    rows = db_rows(db, 'SELECT id, encoding, text FROM documents '
                   'WHERE name = ?', name)
    assert len(rows) == 1, rows
    doc_id, enc, stored = rows[0]
    assert enc == encoding, enc
    assert stored == text, 'stored text differs from the decoded text'
    codings = db_rows(db, 'SELECT g.idx, k.code, c.start, c."end" '
                      'FROM codings c JOIN segments g ON g.id = c.segment '
                      'JOIN codes k ON k.id = c.code WHERE g.document = ? '
                      'ORDER BY g.idx, c.start, k.code', doc_id)
    want = sorted((c['segment'], c['code'], c['start'], c['end'])
                  for c in doc['codings'])
    assert sorted(codings) == want, (codings, want)
    return doc


def t_utf16le():
    converted_case('utf16le', b'\xff\xfe' + CONVERTED.encode('utf-16-le'),
                   'UTF-16LE', CONVERTED)


def t_utf16be():
    converted_case('utf16be', b'\xfe\xff' + CONVERTED.encode('utf-16-be'),
                   'UTF-16BE', CONVERTED)


def t_cp1252():
    text = 'L’agent a dit : le télétravail, c’est une œuvre.\r\n'
    data = text.encode('cp1252')
    assert b'\x92' in data and b'\x9c' in data
    doc = converted_case('cp1252', data, 'Windows-1252', text)
    seg = doc['segments'][0]['text']
    assert '’' in seg and 'œ' in seg, seg


def t_cr_only():
    text = ('Premier paragraphe.\rsuite.\r\rQ : le télétravail ?\r\r'
            'R : oui.\r')
    name = write('cr.md', text)
    _, docs = tag_json(name)
    got = [(s['line'], s['text']) for s in docs[0]['segments']]
    want = [(1, 'Premier paragraphe.\rsuite.'), (4, 'le télétravail ?'),
            (6, 'oui.')]
    assert got == want, got
    db = fresh('cr')
    expect(grille('add', '-d', db, name), 0, '',
           'added 1 document to %s\n' % esc(db))
    lines = db_rows(db, 'SELECT g.line FROM segments g JOIN documents d ON '
                    'd.id = g.document WHERE d.name = ? ORDER BY g.idx', name)
    assert [l for (l,) in lines] == [1, 4, 6], lines


def t_bom_front_matter():
    name = write('bomfm.md', b'\xef\xbb\xbf' + '---\ncollectivite: '
                 'Montpellier\ntype: commune\n---\nLe télétravail.\n'.encode())
    _, docs = tag_json(name)
    attrs = docs[0]['document']['attributes']
    assert attrs == {'collectivite': 'Montpellier', 'type': 'commune'}, attrs
    assert [s['line'] for s in docs[0]['segments']] == [5], docs[0]
    db = fresh('bomfm')
    expect(grille('add', '-d', db, name), 0, '',
           'added 1 document to %s\n' % esc(db))
    rows = db_rows(db, 'SELECT a.key, a.value, a.origin FROM attributes a '
                   'JOIN documents d ON d.id = a.document WHERE d.name = ? '
                   'ORDER BY a.key', name)
    assert rows == [('collectivite', 'Montpellier', 'front matter'),
                    ('type', 'commune', 'front matter')], rows


def t_unterminated_front_matter():
    name = write('unterminated.md', '---\ncollectivite: Montpellier\n'
                 'type: commune\nLe télétravail.\n')
    msg = esc(name) + (r":1:1: front matter opened with '---' on line 1 is "
                       r"never closed \(a line '---' must end it\)")
    expect(grille('tag', name), 1, 'grille: %s\n' % msg, '')
    failed_add(fresh('unterminated'), name, msg)


def t_front_matter_not_yaml():
    name = write('notyaml.md', '---\ncollectivite: Montpellier\n'
                 'type: commune: rurale\n---\nLe télétravail.\n')
    msg = esc(name) + (r':3:14: YAML: mapping values are not allowed in '
                       r"this context \(a line above without its ':', or a "
                       r"value holding ': ' that wants quotes\)")
    expect(grille('tag', name), 1, 'grille: %s\n' % msg, '')
    failed_add(fresh('notyaml'), name, msg)


def t_front_matter_key_indented():
    """A key indented further than the one above: YAML reads it as going on
    with that line's value; the message says the indent, not a missing
    ':'."""
    name = write('deepkey.md', '---\ncollectivite: Lodève\n  type: commune\n'
                 '---\nLe télétravail.\n')
    msg = esc(name) + (r':3:7: YAML: mapping values are not allowed in '
                       r'this context \(this line is indented further than '
                       r"the one above it, and YAML reads it as going on "
                       r"with that line's value: line its key up with the "
                       r'keys above\)')
    expect(grille('tag', name), 1, 'grille: %s\n' % msg, '')


def t_front_matter_glued_colon():
    """A key written against its value (role:DGS): the line it is on, and
    the fix; libyaml said it could not find a ':' on the next line (the
    closing '---' when it was the last key)."""
    for k, lines in enumerate((['collectivite: X', 'role:DGS', 'type: commune'],
                               ['collectivite: X', 'type: commune',
                                'role:DGS'])):
        name = write('glued%d.md' % k, '---\n' + '\n'.join(lines) +
                     '\n---\n\nla cantine\n')
        msg = esc(name) + (r":%d:1: YAML: 'role:DGS' needs a space after its "
                           r"':' to be a key and its value \(role: DGS\)" %
                           (lines.index('role:DGS') + 2))
        expect(grille('tag', name), 1, 'grille: %s\n' % msg, '')
        failed_add(fresh('glued%d' % k), name, msg)
    # a time in a list above a value holding ': ' is no key: the error
    # stays libyaml's, on its line
    name = write('gluedtime.md', '---\ncollectivite: Millau\nhoraires:\n'
                 '  - 10:30\n  - reunion: DGS: urgent\n---\nTexte.\n')
    expect(grille('tag', name), 1, 'grille: %s:5:17: YAML: mapping values '
           'are not allowed[^\n]*\n' % esc(name), '')
    # a URL's colon is a value's: not taken for a key
    name = write('gluedurl.md', '---\ntype: commune\nsource: http://x.fr/a:b'
                 '\n---\n\nla cantine\n')
    run, docs = tag_json(name)
    assert docs[0]['document']['attributes']['source'] == 'http://x.fr/a:b'
    # in a codebook, indented: the line, not the one after it
    cb = write('glued.yaml', 'name: x\nthemes:\n  ecole:\n    label:École\n'
               '    terms: [école]\n')
    expect(grille('codebook', 'check', cb), 1,
           r"grille: %s:4:5: YAML: 'label:École' needs a space after its ':' "
           r'to be a key and its value \(label: École\)\n' % esc(cb), '')


def warned_without_attributes(name, warn, db_name):
    """Note `name` is tagged and added with warning `warn`, and has no
    attributes; returns tag's documents."""
    run, docs = tag_json(name)
    expect(run, 0, warn)
    assert docs[0]['document']['attributes'] == {}, docs[0]
    db = fresh(db_name)
    expect(grille('add', '-d', db, name), 0, warn,
           'added 1 document to %s\n' % esc(db))
    return docs


def t_front_matter_four_dashes():
    """A front matter fenced with '----' is none: its lines are text, and
    the warning says why (they were read as text, unsaid)."""
    name = write('fourdashes.md', '----\ntype: commune\ncollectivite: X\n'
                 '----\n\nLe télétravail.\n')
    warn = ('grille: warning: ' + esc(name) + r":1: the note opens with "
            r"'----', not '---': the lines after it are read as text, and "
            r"the note has no attributes \(a front matter's lines are three "
            r"dashes, '---'\)\n")
    warned_without_attributes(name, warn, 'fourdashes')
    # a rule before the text, with no keys after it: nothing said
    name = write('rule.md', '----\n\nLe télétravail.\n')
    expect(grille('tag', name), 0, '', r'(?s).*')


def t_front_matter_aside():
    """After blank lines, a block between '---' lines that names none of
    the reports' keys is text, with a warning that gives its line: its
    attributes are not lost unsaid."""
    name = write('aside.md', '\n\n---\ncommune: Brest\nentretien: 12\n---\n'
                 '\nLe télétravail a bien marché.\n')
    warn = ('grille: warning: ' + esc(name) + r":3: the block between '---' "
            r'lines after the blank lines names none of the attributes the '
            r'reports read \(collectivite, [^\n]*start the file with its '
            r"'---' line\n")
    docs = warned_without_attributes(name, warn, 'aside')
    # the rules are no segments: the block's lines are text
    assert [(g['line'], g['text']) for g in docs[0]['segments']] == [
        (4, 'commune: Brest\nentretien: 12'),
        (8, 'Le télétravail a bien marché.')], docs[0]['segments']
    expect(grille('tag', name), 0, warn)
    # a block that names one is the front matter, and nothing is said;
    # a note with no such block neither
    known = write('known.md', '\n---\ntype: commune\n---\nLe télétravail.\n')
    plain = write('plain.md', '\nLe télétravail.\n\n---\n\nLa santé.\n')
    # a note's lines between two rules, as French is typed, neither
    notes = write('notes.md', '\n---\nMasques : reçus fin mars\nTests : '
                  '200\n---\n\nLe télétravail.\n')
    run, docs = tag_json(known, plain, notes)
    expect(run, 0, '')
    assert docs[0]['document']['attributes'] == {'type': 'commune'}, docs[0]
    # a block with a YAML error: the error, on the file's own lines
    bad = write('badyaml.md', '\r\n---\r\ntype: commune\r\nrole: "DGA : x'
                '\r\n---\r\n\r\nLe télétravail.\r\n')
    run, docs = tag_json(bad)
    expect(run, 0, 'grille: warning: ' + esc(bad) + r':5:1: YAML: [^\n]*'
           r'line 4, column 7 is never closed\) \(the block between '
           r"'---' lines after the blank lines is read as text, not as the "
           r'front matter\)\n')
    assert docs[0]['document']['attributes'] == {}, docs[0]
    # and the commands that read a note for themselves say it too
    expect(grille('tokens', name), 0, warn)


def t_folder():
    """A folder is walked for its notes, as add walks it; what is not a
    note is said skipped."""
    os.makedirs(os.path.join(TMP, 'afolder', 'sub'))
    write('afolder/a.md', 'Le télétravail.\n')
    write('afolder/sub/b.txt', 'Les masques.\n')
    write('afolder/c.docx', 'x')
    run = grille('tag', 'afolder')
    expect(run, 0, r'grille: warning: skipped afolder/c\.docx: not a \.txt '
           r'or \.md file\n',
           r'(?s)== afolder/a\.md .*== afolder/sub/b\.txt .*')
    os.makedirs(os.path.join(TMP, 'emptyfolder'))
    expect(grille('tag', 'emptyfolder'), 0,
           r'grille: warning: emptyfolder: no \.txt or \.md file in this '
           r'folder\n', '')


def t_unreadable():
    if not ROOT:
        raise Skip('not root: cannot run as nobody')
    name = write('secret.md', 'Le télétravail, en secret.\n')
    os.chmod(os.path.join(TMP, name), 0o600)
    msg = esc(name) + ': Permission denied'
    expect(grille('tag', name, nobody=True), 1, 'grille: %s\n' % msg, '')
    os.makedirs(os.path.join(TMP, 'nob'))
    db = os.path.join('nob', 'p.db')
    shutil.copyfile(os.path.join(TMP, BASE), os.path.join(TMP, db))
    for p in ('nob', db):
        os.chown(os.path.join(TMP, p), NOBODY_UID, NOBODY_GID)
    before = snapshot(db)
    run = grille('add', '-d', db, name, nobody=True)
    expect(run, 1, 'grille: %s\ngrille: 1 file could not be added:\n  %s\n'
           % (msg, esc(name)), 'added 0 documents to %s, 1 failed\n' % esc(db))
    same_project(before, snapshot(db))
    assert sorted(os.listdir(os.path.join(TMP, 'nob'))) == ['p.db'], \
        os.listdir(os.path.join(TMP, 'nob'))


def t_unreadable_folder():
    """A subfolder that cannot be read fails as a note that cannot be
    read: said, listed, and the other notes go in; a pipe in a folder is
    skipped as what it is."""
    if not ROOT:
        raise Skip('not root: cannot run as nobody')
    top = os.path.join(TMP, 'shut')
    os.makedirs(os.path.join(top, 'closed'))
    os.makedirs(os.path.join(top, 'open'))
    write('shut/closed/a.md', 'Le télétravail, en secret.\n')
    write('shut/open/b.md', 'Le télétravail, au grand jour.\n')
    os.mkfifo(os.path.join(top, 'open', 'c.md'))
    os.chmod(os.path.join(top, 'closed'), 0o700)
    # listed but not entered (r--): its notes fail as unreadable ones do,
    # they were dropped without a word
    write('shut/seen/d.md', 'Le télétravail, vu de loin.\n')
    write('shut/seen/e.png', 'pas une note')
    os.chown(os.path.join(top, 'seen'), NOBODY_UID, NOBODY_GID)
    os.chmod(os.path.join(top, 'seen'), 0o400)
    os.makedirs(os.path.join(TMP, 'shutp'))
    db = os.path.join('shutp', 'p.db')
    shutil.copyfile(os.path.join(TMP, BASE), os.path.join(TMP, db))
    for p in ('shut', 'shut/open', 'shut/open/b.md', 'shutp', db):
        os.chown(os.path.join(TMP, p), NOBODY_UID, NOBODY_GID)
    run = grille('add', '-d', db, 'shut', nobody=True, timeout=20)
    expect(run, 1,
           'grille: shut/closed: Permission denied\n'
           'grille: warning: skipped shut/open/c.md: not a regular file '
           r'\(a pipe, a device or a socket\)\n'
           'grille: shut/seen/d.md: Permission denied\n'
           'grille: warning: skipped shut/seen/e.png: Permission denied\n'
           'grille: 2 files could not be added:\n  shut/closed/\n'
           '  shut/seen/d.md\n',
           'added 1 document to %s, 2 skipped, 2 failed\n' % esc(db))


def t_missing():
    msg = 'missing.md: No such file or directory'
    expect(grille('tag', 'missing.md'), 1, 'grille: %s\n' % msg, '')
    failed_add(fresh('missing'), 'missing.md', msg)
    # an empty name is said as one, not as no name at all
    for args in (('tag', ''), ('codebook', 'check', '')):
        expect(grille(*args), 1, "grille: '': No such file or directory\n",
               '')
    db = fresh('empty-name')
    before = snapshot(db)
    expect(grille('add', '-d', db, ''), 1,
           "grille: '': No such file or directory\n"
           "grille: 1 file could not be added:\n  ''\n",
           'added 0 documents to %s, 1 failed\n' % esc(db))
    same_project(before, snapshot(db))


def t_odd_folders():
    """Notes under folders nested deeper than 64 levels are not read: a
    failure (exit 1, listed), not a warning the run ends 0 after; a name
    with a line end stays on its line in the messages; a project named
    like a note in the folder added is left out, unsaid."""
    top = os.path.join(TMP, 'odd')
    deep = os.path.join(top, *(['a'] * 66))
    os.makedirs(deep)
    write(os.path.join(deep, 'n.md'), 'Le télétravail.\n')
    write('odd/vide\nfaux : message.md', '')
    db = os.path.join('odd', 'projet.md')
    shutil.copyfile(os.path.join(TMP, BASE), os.path.join(TMP, db))
    run = grille('add', '-d', db, 'odd', timeout=30)
    far = 'odd/' + '/'.join(['a'] * 65)
    expect(run, 1,
           'grille: %s: folders nested too deep \\(more than 64 levels\\)\n'
           'grille: odd/vide\ufffdfaux : message.md: no text to code '
           '\\(empty file\\)\n'
           'grille: 2 files could not be added:\n  %s/\n'
           '  odd/vide\ufffdfaux : message.md\n' % (esc(far), esc(far)),
           'added 0 documents to %s, 2 failed\n' % esc(db))


def t_symlink_loops():
    d = os.path.join(TMP, 'loops')
    os.makedirs(d)
    shutil.copyfile(CORPUS[1], os.path.join(d, os.path.basename(CORPUS[1])))
    shutil.copyfile(CORPUS[2], os.path.join(d, os.path.basename(CORPUS[2])))
    os.symlink('.', os.path.join(d, 'loop'))
    os.symlink('b', os.path.join(d, 'a'))
    os.symlink('a', os.path.join(d, 'b'))
    db = fresh('loops')
    run = grille('add', '-d', db, 'loops', timeout=20)
    expect(run, 0,
           'grille: warning: skipped loops/a: Too many levels of symbolic '
           'links\n'
           'grille: warning: skipped loops/b: Too many levels of symbolic '
           'links\n'
           'grille: warning: skipped loops/loop: a link to a folder is not '
           'followed\n',
           'added 2 documents to %s, 3 skipped\n' % esc(db), seconds=10)
    names = [r[1] for r in snapshot(db)['documents']]
    want = sorted([GOOD] + [os.path.basename(c) for c in CORPUS[1:3]])
    assert sorted(names) == want, names


# --------------------------------------------------------------- codebooks

NOTE = write('note.md', 'Q : Et le télétravail ?\n\nR : Il a été généralisé.\n')


def codebook_error(path, message, seconds=10):
    """codebook check and tag -c both refuse the codebook with message."""
    for run in (grille('codebook', 'check', path, timeout=seconds),
                grille('tag', '-c', path, NOTE, timeout=seconds)):
        expect(run, 1, 'grille: %s\n' % message, '', seconds=seconds)


def t_alias_bomb():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol",'
             '"lol"]']
    for i in range(1, 10):
        lines.append('a%d: &a%d [%s]' % (i, i, ','.join(['*a%d' % (i - 1)]
                                                        * 9)))
    path = write('bomb.yaml', '\n'.join(lines) + '\n')
    # refused at its first anchor, before any alias is read
    codebook_error(path, esc(path) + r":1:5: YAML anchors are not allowed "
                   r"\('&a0'\); a value that starts with '&' goes in quotes: "
                   r'"&a0"', seconds=2)


def t_too_many_patterns():
    """A codebook past a million patterns is refused at the first one too
    many, before they are compiled: in little memory."""
    path = os.path.join(TMP, 'huge.yaml')
    with open(path, 'w') as f:
        f.write('themes:\n  t:\n    terms:\n')
        f.writelines('    - w%d\n' % i for i in range(1000001))
    try:
        run = grille('codebook', 'check', 'huge.yaml', timeout=60,
                     measure=True)
        expect(run, 1, r'grille: huge\.yaml:1000004:7: more than 1000000 '
               r'patterns\n', '')
        # the tree of a 17 MB file, not the compiled patterns (1.6 GB);
        # AddressSanitizer's redzones and quarantine multiply the peak
        # (about 120 MB becomes 420 MB), so it is measured without them
        if not sanitized():
            assert run.maxrss_kb < 400 * 1024, run.maxrss_kb
    finally:
        os.unlink(path)


def t_ten_thousand_themes():
    lines = ['name: Dix mille', 'themes:']
    for i in range(10000):
        lines += ['  theme%05d:' % i, '    label: Thème %d' % i,
                  '    terms: [mot%d, "phrase numero %d"]' % (i, i)]
    lines += ['  teletravail:', '    terms: [télétravail]']
    path = write('many.yaml', '\n'.join(lines) + '\n')
    run = grille('codebook', 'check', path, timeout=30)
    expect(run, 0, '', esc(path) + r': ok \(10001 themes, 10001 codes, '
           r'20001 rules\)\n', seconds=5)
    note = write('many.md', 'Le télétravail et le mot42 puis mot9999.\n\n'
                 'phrase numero 5000.\n')
    run, docs = tag_json('-c', path, note, timeout=30)
    expect(run, 0, '', seconds=5)
    got = [s['codes'] for s in docs[0]['segments']]
    assert got == [['theme00042', 'theme09999', 'teletravail'],
                   ['theme05000']], got


def t_deep_nesting():
    lines = ['themes:']
    indent = 2
    where = None
    for i in range(1000):
        lines.append(' ' * indent + 'n%d:' % i)
        lines.append(' ' * (indent + 2) + 'terms: [mot%d]' % i)
        if i == 31:  # the mapping of n31 is the 65th level of the file
            where = (len(lines), indent + 3)
        lines.append(' ' * (indent + 2) + 'children:')
        indent += 4
    lines += [' ' * indent + 'fin:', ' ' * (indent + 2) + 'terms: [fin]']
    path = write('deep.yaml', '\n'.join(lines) + '\n')
    codebook_error(path, esc(path) + ':%d:%d: YAML nesting deeper than 64 '
                   'levels' % where, seconds=5)


CATASTROPHIC_NOTE = write(
    'letters.md', 'Le télétravail.\n\nDeuxième paragraphe.\n\n' +
    'a' * 30000 + '!b\n\nfin.\n')


def catastrophic(i, rx):
    path = write('catastrophic%d.yaml' % i, "themes:\n  lettres:\n    "
                 "label: Lettres\n    regex: ['%s']\n" % rx)
    expect(grille('codebook', 'check', path), 0, '',
           esc(path) + r': ok \(1 theme, 1 code, 1 rule\)\n')
    run = grille('tag', '-c', path, CATASTROPHIC_NOTE, timeout=30)
    expect(run, 1, "grille: %s:5: regex rule '%s' of theme 'lettres' "
           r"\(line 4 of codebook %s\) stopped: (match limit exceeded|"
           r"depth limit exceeded|heap limit exceeded|JIT stack limit "
           r"reached); simplify the regex\n"
           % (esc(CATASTROPHIC_NOTE), esc(rx), esc(path)), '', seconds=10)


def t_invalid_regex():
    path = write('badregex.yaml', "themes:\n  teletravail:\n    label: T\n"
                 "    regex: ['\\bréunion (à|a distance']\n")
    codebook_error(path, esc(path) + r":4:13: bad regex '\\bréunion \(à\|a "
                   r"distance' in theme 'teletravail': missing closing "
                   r"parenthesis at offset 25")


def t_duplicate_ids():
    path = write('dup.yaml', 'themes:\n  sante:\n    terms: [santé]\n'
                 '  elus:\n    terms: [maire]\n  sante:\n'
                 '    terms: [masques]\n')
    codebook_error(path, esc(path) + ":6:3: duplicate id 'sante'")
    path = write('dupchild.yaml', 'themes:\n  sante:\n    terms: [santé]\n'
                 '    children:\n      a:\n        terms: [x]\n'
                 '      a:\n        terms: [y]\n')
    codebook_error(path, esc(path) + ":7:7: duplicate id 'sante/a'")


def t_codebook_not_utf8():
    path = write('latin1.yaml', b'themes:\n  sante:\n    label: Sant\xe9 '
                 b'publique\n    terms: [sant\xe9]\n')
    codebook_error(path, esc(path) + r':3:16: invalid UTF-8 at byte 32 '
                   r'\(0xE9\): a codebook must be UTF-8; save it with the '
                   r'encoding UTF-8 \(0xE9 may be Windows-1252 or Latin-1\)')
    path = write('utf16.yaml', 'themes:\n  sante: [santé]\n'
                 .encode('utf-16'))
    codebook_error(path, esc(path) + r':1:1: UTF-16 \(its byte order mark '
                   r'says so\): a codebook must be UTF-8; save it with the '
                   r'encoding UTF-8')
    db = os.path.join(TMP, 'cb-project.db')
    expect(grille('init', '-d', db), 0, '', 'created project .*\n')
    codebook_error(db, esc(db) + r': a SQLite file \(a project\?\), not a '
                   r'codebook: a codebook is a YAML text file; a project is '
                   r'given with -d')
    # init -c and recode -c too, which keep the codebook's text (they said
    # "NUL byte at byte 15: refusing a binary file")
    new = os.path.join(TMP, 'cb-new.db')
    expect(grille('add', '-d', db, NOTE), 0, '', 'added 1 document .*\n')
    before = snapshot('cb-project.db')
    for run in (grille('init', '-d', new, '-c', db),
                grille('recode', '-d', db, '-c', db)):
        expect(run, 1, 'grille: %s: a SQLite file \\(a project\\?\\), not '
               'a codebook: [^\n]+\n(grille: [^\n]+ is unchanged\n)?' %
               esc(db), '')
    assert not os.path.exists(new)
    same_project(before, snapshot('cb-project.db'))


# ---------------------------------------------------------------- projects

NOTES = []
for c in CORPUS[1:]:
    NOTES.append(os.path.join('notes', os.path.basename(c)))
    os.makedirs(os.path.join(TMP, 'notes'), exist_ok=True)
    shutil.copyfile(c, os.path.join(TMP, NOTES[-1]))
NEW_NOTE = NOTES[4]


def refused_everywhere(db, message, ok_integrity=True):
    """list, report and add each exit 1 with message; db is unchanged."""
    for args in (('list', '-d', db), ('report', '-d', db),
                 ('add', '-d', db, NEW_NOTE)):
        before = snapshot(db)
        run = grille(*args)
        expect(run, 1, 'grille: %s\n' % message, '')
        same_project(before, snapshot(db), ok_integrity)


def t_text_file_project():
    db = write('pj/notes.txt', 'pas une base\n' * 100)
    refused_everywhere(db, esc(db) + r': not a grille project \(not a '
                       r'SQLite database\)', ok_integrity=False)


def t_device_or_pipe_project():
    # /dev/null was 'an empty file', and a pipe blocked for a writer
    for dev in ('/dev/null', '/dev/zero'):
        for args in (('list', '-d', dev), ('report', '-d', dev)):
            expect(grille(*args), 1, 'grille: %s: is a device, not a grille '
                   r'project \(a project is a file\)\n' % dev, '')
    fifo = os.path.join(TMP, 'pj', 'fifo.db')
    os.mkfifo(fifo)
    expect(grille('list', '-d', 'pj/fifo.db'), 1, r'grille: pj/fifo\.db: is '
           r'a pipe, not a grille project \(a project is a file\)\n', '')


def t_other_sqlite():
    db = 'pj/other.db'
    con = sqlite3.connect(os.path.join(TMP, db))
    con.execute('CREATE TABLE clients (nom TEXT, ville TEXT)')
    con.execute("INSERT INTO clients VALUES ('Dupont', 'Lyon')")
    con.commit()
    con.close()
    refused_everywhere(db, esc(db) + ': a SQLite database, but not a grille '
                       'project')


def t_newer_project():
    db = fresh('newer')
    con = sqlite3.connect(os.path.join(TMP, db))
    con.execute('PRAGMA user_version = 99')  # as a newer grille writes it
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    assert snapshot(db)['user_version'] == 99
    refused_everywhere(db, esc(db) + r': made by a newer grille \(project '
                       r'schema 99, this grille knows up to 8\): upgrade '
                       r'grille')


def with_user_version(name, v):
    """A copy of the base project whose header says schema v."""
    db = fresh(name)
    con = sqlite3.connect(os.path.join(TMP, db))
    con.execute('PRAGMA user_version = %d' % v)
    con.close()
    return db


def t_header_version_damaged():
    """A header's version that table meta contradicts: damaged, not
    'upgrade grille', nor an upgrade that fails half-way."""
    for v in (1, 5, 13369351):
        db = with_user_version('header-%d' % v, v)
        refused_everywhere(db, esc(db) + r': the project file is damaged: its '
                           r'schema version is %d in its header \(PRAGMA '
                           r'user_version\) and 8 in table meta; if the rest '
                           r'is sound, set user_version to 8' % v)


def t_no_version_project():
    # a version of 0 or less: not 'table meta already exists' from a
    # migration that took it for a new project
    for v in (0, -1):
        db = with_user_version('noversion%d' % (v + 1), v)
        refused_everywhere(db, esc(db) + r': a grille project whose schema '
                           r'version is %d \(PRAGMA user_version\): '
                           r'damaged, or changed by another tool; its '
                           r'schema_version in table meta says which it is'
                           % v)


RO = {}


def t_read_only():
    if not ROOT:
        raise Skip('not root: cannot run as nobody')
    d = os.path.join(TMP, 'ro')
    os.makedirs(d)
    for n in NOTES[:2]:
        shutil.copyfile(os.path.join(TMP, n),
                        os.path.join(d, os.path.basename(n)))
    for p in [d] + [os.path.join(d, f) for f in os.listdir(d)]:
        os.chown(p, NOBODY_UID, NOBODY_GID)
    db = 'ro/p.db'
    first, second = ['ro/' + os.path.basename(n) for n in NOTES[:2]]
    expect(grille('init', '-d', db, nobody=True), 0, '', '.*\n')
    expect(grille('add', '-d', db, first, nobody=True), 0, '',
           'added 1 document to ro/p.db\n')
    os.chmod(os.path.join(TMP, db), 0o444)
    RO['listing'] = sorted(os.listdir(d))
    RO['args'] = (db, second)
    before = snapshot(db)
    run = grille('add', '-d', db, second, nobody=True)
    expect(run, 1, r'grille: ro/p\.db: the project is read-only: nothing '
           r'can be written to it\n', '')
    same_project(before, snapshot(db))


def t_read_only_leaves_nothing():
    if 'listing' not in RO:
        raise Skip('the read-only case did not run')
    got = sorted(os.listdir(os.path.join(TMP, 'ro')))
    assert got == RO['listing'], 'files left next to the project: %s' % (
        ', '.join('%s (mode %o)' % (f, os.stat(os.path.join(
            TMP, 'ro', f)).st_mode & 0o777)
            for f in sorted(set(got) - set(RO['listing']))))


def t_read_only_then_writable():
    if 'args' not in RO:
        raise Skip('the read-only case did not run')
    db, second = RO['args']
    os.chmod(os.path.join(TMP, db), 0o644)  # what the message advises
    run = grille('add', '-d', db, second, nobody=True)
    expect(run, 0, '', 'added 1 document to ro/p.db\n')


def t_unreadable_project():
    """A project its user may not read is said so, not blamed on its
    folder (which is writable) nor called read-only."""
    if 'args' not in RO:
        raise Skip('the read-only case did not run')
    db, second = RO['args']
    os.chmod(os.path.join(TMP, db), 0o600)
    os.chown(os.path.join(TMP, db), 0, 0)
    try:
        before = snapshot(db)
        for args in (['list', '-d', db], ['add', '-d', db, second],
                     ['report', '-d', db]):
            expect(grille(*args, nobody=True), 1,
                   r'grille: ro/p\.db: cannot read the project: Permission '
                   r'denied\n', '')
        same_project(before, snapshot(db))
    finally:
        os.chown(os.path.join(TMP, db), NOBODY_UID, NOBODY_GID)
        os.chmod(os.path.join(TMP, db), 0o644)


def schema5(db, rows):
    """Project `db` turned back into schema 5, its attributes `rows`
    (document id, key, value) as an older grille stored them."""
    con = sqlite3.connect(os.path.join(TMP, db))
    con.execute('DELETE FROM attributes')
    con.executemany("INSERT INTO attributes VALUES (?, ?, ?, 'front "
                    "matter')", rows)
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.execute('PRAGMA user_version = 5')
    con.execute('DROP INDEX documents_file')  # schema 7's
    con.execute('ALTER TABLE documents DROP COLUMN file')
    con.commit()
    con.close()


def t_schema5_attributes():
    """A project of schema 5 holds keys and values as they were typed: read
    as it is (a project that may not be written) or upgraded, it gives the
    same groups; the spelling already right wins, values are trimmed."""
    if not ROOT:
        raise Skip('not root: cannot run as nobody')
    d = os.path.join(TMP, 'old5')
    os.makedirs(os.path.join(d, 'notes'))
    for n in NOTES[:3]:
        shutil.copyfile(os.path.join(TMP, n),
                        os.path.join(d, 'notes', os.path.basename(n)))
    db = 'old5/p.db'
    expect(grille('init', '-d', db), 0, '', '.*\n')
    expect(grille('add', '-d', db, 'old5/notes'), 0, '', '.*\n')
    schema5(db, [(1, 'R\u00e9gion', 'ARA'), (1, 'region', 'ARA-new'),
                 (2, 'Type\u3000', 'commune'), (2, 'R\u00e9gion\u200b', 'BRE'),
                 (3, 'REGION', 'BRE\u00a0'), (3, 'region ', 'x')])
    for p in [d] + [os.path.join(d, f) for f in os.listdir(d)]:
        os.chown(p, NOBODY_UID, NOBODY_GID)
    os.chmod(os.path.join(TMP, db), 0o444)
    os.chmod(d, 0o555)
    ro = grille('compare', '-d', db, '--by', 'region', '-f', 'csv',
                nobody=True)
    assert ro.returncode == 0, ro
    assert user_version(db) == 5, 'upgraded though read-only'
    os.chmod(d, 0o755)
    os.chmod(os.path.join(TMP, db), 0o644)
    up = grille('compare', '-d', db, '--by', 'region', '-f', 'csv',
                nobody=True)
    assert up.returncode == 0, up
    assert user_version(db) == 8, 'not upgraded'
    assert ro.out == up.out, 'read-only %r, upgraded %r' % (ro.out, up.out)
    groups = {line.split(',')[1] for line in up.out.splitlines()[1:]}
    assert {'ARA-new', 'BRE'} <= groups and 'ARA' not in groups, groups
    con = sqlite3.connect(os.path.join(TMP, db))
    keys = sorted(set(r[0] for r in con.execute(
        'SELECT key FROM attributes')))
    con.close()
    assert keys == ['region', 'type'], keys


def user_version(db):
    con = sqlite3.connect(os.path.join(TMP, db))
    v = con.execute('PRAGMA user_version').fetchone()[0]
    con.close()
    return v


FULL = {}


def t_full_disk():
    db = fresh('full')
    before = snapshot(db)
    # room for a write-ahead log of four pages: not for 17 more notes, which
    # change a page or more of each table and index (the project file is
    # not written before the commit)
    con = sqlite3.connect(os.path.join(TMP, db))
    psize = con.execute('PRAGMA page_size').fetchone()[0]
    con.close()
    blocks = 4 * psize // 1024
    run = grille('add', '-d', db, *NOTES, ulimit_f=blocks)
    FULL['run'] = run
    expect(run, 1, r'(grille: warning: [^\n]+\n)*grille: pj/full\.db: '
           r'[^\n]+\ngrille: nothing was added to pj/full\.db\n', '')
    same_project(before, snapshot(db))


def mount_tmpfs(mnt, kb):
    os.makedirs(mnt, exist_ok=True)
    m = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%dk' % kb,
                        'tmpfs', mnt], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if m.returncode != 0:
        raise Skip('cannot mount a tmpfs (needs root)')


def fill(mnt, leave=0):
    """Fills the file system at mnt with a file `filler`, but `leave`
    bytes."""
    filler = os.path.join(mnt, 'filler')
    with open(filler, 'wb', buffering=0) as f:
        try:
            while True:
                f.write(b'x' * 4096)
        except OSError:
            pass
    os.truncate(filler, max(0, os.path.getsize(filler) - leave))


def t_output_kept_file_full_disk():
    """-o over a file with another name (a hard link): written over, so
    that both names see the new report; and on a full disk, left as it
    was, not cut."""
    db = fresh('outlink')
    mnt = os.path.join(TMP, 'outfs')
    mount_tmpfs(mnt, 256)
    try:
        r = os.path.join(mnt, 'r.md')
        expect(grille('report', '-d', db, '-f', 'md', '-o', 'outfs/r.md'),
               0, '')
        os.link(r, os.path.join(mnt, 'r2.md'))
        old = open(r, 'rb').read()
        fill(mnt)
        run = grille('report', '-d', db, '-f', 'html', '-o', 'outfs/r.md')
        expect(run, 1, r'grille: outfs/r\.md: cannot write the output: '
               r'No space left on device\n', '')
        assert open(r, 'rb').read() == old, 'the report was cut'
        assert sorted(os.listdir(mnt)) == ['filler', 'r.md', 'r2.md'], \
            os.listdir(mnt)
        os.unlink(os.path.join(mnt, 'filler'))
        expect(grille('report', '-d', db, '-f', 'html', '-o', 'outfs/r.md'),
               0, '')
        new = open(os.path.join(mnt, 'r2.md'), 'rb').read()
        assert new.startswith(b'<!DOCTYPE html>'), new[:40]
        assert os.stat(r).st_nlink == 2
        # room for the whole output beside it, not for its copy over the
        # file too: the file is cut, and the message says where it is
        with open(r, 'wb') as f:
            f.write(b'old\n')
        fill(mnt, leave=len(new) * 3 // 2)
        run = grille('report', '-d', db, '-f', 'html', '-o', 'outfs/r.md')
        expect(run, 1, r'grille: outfs/r\.md: cannot write over it: No space '
               r'left on device; the whole output is in '
               r'(outfs/r\.md\.tmp-\d+-\w{6})\n', '')
        kept = re.search(r'in (\S+)\n', run.err).group(1)
        assert open(os.path.join(TMP, kept), 'rb').read() == new
    finally:
        subprocess.run(['umount', mnt])


def t_add_checkpoint_full_disk():
    """A disk with room for an add's -wal but not for the project to grow
    when the -wal is written back into it: the add is committed, and says
    that its changes wait in the -wal (the project file alone is not the
    project then), where it used to say nothing.  A later command with
    room folds it back."""
    # a project of some size, whose -wal is mostly pages written over
    many = os.path.join(TMP, 'ckptnotes')
    os.makedirs(many)
    for k in range(8):
        for n in NOTES:
            with open(os.path.join(TMP, n), 'rb') as f:
                data = f.read()
            with open(os.path.join(many, '%d-%s' % (k, os.path.basename(n))),
                      'wb') as f:
                f.write(data + b'\nRelu %d.\n' % k)
    base = os.path.join('pj', 'ckpt-base.db')
    expect(grille('init', '-d', base), 0, '', None)
    expect(grille('add', '-d', base, 'ckptnotes'), 0, r'(?s).*', None)
    mnt = os.path.join(TMP, 'ckptfs')
    mount_tmpfs(mnt, 16384)
    db = os.path.join('ckptfs', 'p.db')

    def add(leave, k):
        for f in os.listdir(mnt):
            os.unlink(os.path.join(mnt, f))
        shutil.copyfile(os.path.join(TMP, base), os.path.join(TMP, db))
        fill(mnt, leave=leave)
        return grille('add', '-d', db, *NOTES[:k])
    try:
        # the least room an add succeeds with: its -wal fits, and the
        # pages the project gains when it is written back may not (a
        # layout where it gains none has no such room: another add)
        for k in (3, 1, 2, 4, 5, 6):
            lo, hi = 0, 8 * 1024 * 1024
            assert add(hi, k).returncode == 0
            while hi - lo > 4096:
                mid = (lo + hi) // 2
                if add(mid, k).returncode == 0:
                    hi = mid
                else:
                    lo = mid
            run = add(hi, k)
            if os.path.exists(os.path.join(TMP, db + '-wal')):
                break
        expect(run, 0, r'grille: warning: ckptfs/p\.db: the changes are '
               r'saved, but in its -wal beside it: they could not be written '
               r'into the project \(the disk is full\); keep the two files '
               r'together \(copy both\)[^\n]*\n',
               r'added %d documents? to ckptfs/p\.db\n' % k)
        assert os.path.exists(os.path.join(TMP, db + '-wal'))
        os.unlink(os.path.join(mnt, 'filler'))
        # a command that writes folds it back
        expect(grille('attr', 'set', '-d', db, '#1', 'relu=oui'), 0,
               r'(?s).*', None)
        assert not os.path.exists(os.path.join(TMP, db + '-wal'))
        con = sqlite3.connect(os.path.join(TMP, db))
        n = con.execute('SELECT count(*) FROM documents').fetchone()[0]
        ok = con.execute('PRAGMA integrity_check').fetchone()[0]
        con.close()
        assert (n, ok) == (8 * len(NOTES) + k, 'ok'), (n, ok)
    finally:
        subprocess.run(['umount', mnt])


def t_recode_full_disk_prints_nothing():
    """recode on a full disk: its table of changes is not printed, for
    it made none."""
    mnt = os.path.join(TMP, 'recfs')
    mount_tmpfs(mnt, 4096)
    try:
        db = os.path.join('recfs', 'p.db')
        shutil.copyfile(os.path.join(TMP, BASE), os.path.join(TMP, db))
        with open(os.path.join(TMP, 'other.yaml'), 'w') as f:
            f.write('themes:\n  autre: {terms: [santé, agents]}\n')
        before = snapshot(db)
        fill(mnt, leave=160 * 1024)  # room for its -shm, not its pages
        run = grille('recode', '-d', db, '-c', 'other.yaml')
        expect(run, 1, r'(?s).*the disk is full.*recfs/p\.db is unchanged\n',
               '')
        same_project(before, snapshot(db))
        os.unlink(os.path.join(mnt, 'filler'))
        expect(grille('recode', '-d', db, '-c', 'other.yaml'), 0, r'(?s).*',
               r'theme .*\nautre .*\n(.*\n)*recoded .*\n')
    finally:
        subprocess.run(['umount', mnt])


def t_init_full_disk():
    """init on a disk that fills at every step of it (a small tmpfs, each
    size in turn): a whole project, or an error and nothing at all; the
    project's WAL is written into it before it gets its name."""
    mnt = os.path.join(TMP, 'fullfs')
    seen = set()
    for kb in range(600, 4001, 100):
        mount_tmpfs(mnt, kb)
        try:
            run = grille('init', '-d', 'fullfs/p.db')
            left = sorted(os.listdir(mnt))
            if run.returncode == 0:
                seen.add('made')
                assert left == ['p.db'], (kb, left)
                expect(grille('list', '-d', 'fullfs/p.db'), 0, r'(?s).*')
            else:
                seen.add('full')
                expect(run, 1, r'grille: fullfs/p\.db: cannot create the '
                       r'project: the disk is full; nothing was written\n', '')
                assert left == [], (kb, run.err, left)
        finally:
            subprocess.run(['umount', mnt])
    assert seen == {'made', 'full'}, seen


def t_full_disk_message():
    if 'run' not in FULL:
        raise AssertionError('the full-disk case did not run')
    err = FULL['run'].err
    last = [l for l in err.splitlines() if 'pj/full.db: ' in l]
    assert last, err
    assert re.fullmatch(r'grille: pj/full\.db: cannot [^:]+: (the disk is '
                        r'full; nothing was written|[^\n]*(file size limit|'
                        r'too large)[^\n]*)', last[0]), (
        'says %r, not that the disk is full' % last[0])


DAMAGED = []


def damaged_project(name, pages=None):
    """A copy of a project of five notes with garbage over some pages."""
    db = os.path.join('pj', name + '.db')
    expect(grille('init', '-d', db), 0, '', '.*\n')
    expect(grille('add', '-d', db, *NOTES[:5]), 0, r'(grille: warning: '
           r'[^\n]+\n)*', 'added 5 documents to %s\n' % esc(db))
    path = os.path.join(TMP, db)
    size = os.path.getsize(path)
    con = sqlite3.connect(path)
    psize = con.execute('PRAGMA page_size').fetchone()[0]
    if pages == 'documents':
        try:
            pages = [p for (p,) in con.execute(
                "SELECT pageno FROM dbstat WHERE name = 'documents' AND "
                "pagetype = 'leaf'")]
        except sqlite3.OperationalError:  # no dbstat: the middle pages
            pages = None
    con.close()
    if not pages:
        mid = size // 2 // psize + 1
        pages = [mid, mid + 1]
    assert all(p > 1 for p in pages) and size > psize * max(pages)
    data = bytearray(open(path, 'rb').read())
    rng = random.Random(20201128)
    for p in pages:
        for i in range((p - 1) * psize, p * psize):
            data[i] = rng.randrange(256)
    with open(path, 'wb') as f:
        f.write(data)
    return db, pages


DAMAGE = (r'cannot [^:\n]+: the project file is damaged \((database disk '
          r'image is malformed|file is not a database)\)')


def t_damaged():
    db, pages = damaged_project('damaged', 'documents')
    for args, tail in ((('list', '-d', db), ''), (('report', '-d', db), ''),
                       (('add', '-d', db, NEW_NOTE),
                        '(grille: nothing was added to %s\n)?' % esc(db))):
        before = snapshot(db)
        run = grille(*args)
        DAMAGED.append(run)
        try:
            expect(run, 1, 'grille: %s: %s\n%s' % (esc(db), DAMAGE, tail), '')
        except AssertionError as e:
            raise AssertionError('pages %s overwritten: %s' % (pages, e))
        same_project(before, snapshot(db), ok_integrity=False)


def t_damaged_middle():
    """Garbage over the middle pages: whatever they hold, never a crash;
    a command either works or says the file is damaged."""
    db, pages = damaged_project('damaged-middle')
    for args, tail in ((('list', '-d', db), ''), (('report', '-d', db), ''),
                       (('add', '-d', db, NEW_NOTE),
                        '(grille: nothing was added to %s\n)?' % esc(db))):
        before = snapshot(db)
        run = grille(*args)
        if run.returncode != 0:
            DAMAGED.append(run)
            expect(run, 1, 'grille: %s: %s\n%s' % (esc(db), DAMAGE, tail), '')
            same_project(before, snapshot(db), ok_integrity=False)
        else:  # NEW_NOTE is one of the five: it may say so
            expect(run, 0, r'(grille: (warning: [^\n]+|[^\n]+: already in '
                   r'the project as [^\n]+)\n)*')


def five_notes(name, *sql):
    """A project of five notes, then changed by hand with `sql` (a NOT
    NULL taken away first where a statement needs it)."""
    db = os.path.join('pj', name + '.db')
    expect(grille('init', '-d', db), 0, '', '.*\n')
    expect(grille('add', '-d', db, *NOTES[:5]), 0, r'(grille: warning: '
           r'[^\n]+\n)*', 'added 5 documents to %s\n' % esc(db))
    con = sqlite3.connect(os.path.join(TMP, db))
    for q in sql:
        if q.startswith('NULLABLE '):
            table, col = q.split()[1:]
            con.execute('PRAGMA writable_schema = ON')
            con.execute("UPDATE sqlite_schema SET sql = replace(sql, '%s "
                        "TEXT NOT NULL', '%s TEXT') WHERE name = '%s'" %
                        (col, col, table))
            con.commit()
            con.close()
            con = sqlite3.connect(os.path.join(TMP, db))
        else:
            con.execute(q)
    con.commit()
    con.close()
    return db


def refused(db, commands, message):
    for args in commands:
        before = snapshot(db)
        run = grille(*(args[:1] + ('-d', db) + args[1:]))
        try:
            expect(run, 1, 'grille: %s: %s\n%s' % (
                esc(db), message, '(grille: [^\n]+ is unchanged\n)?'), '')
        except AssertionError as e:
            raise AssertionError('%s: %s' % (args[0], e))
        same_project(before, snapshot(db))


def t_orphan_codings():
    """Codings whose document row is gone: an error naming the project,
    not a write past the end of a table (report, cooc, compare, quotes
    crashed)."""
    db = five_notes('orphans', 'DELETE FROM documents WHERE id = 2',
                    'DELETE FROM doc_stats WHERE document = 1')
    refused(db, (('report',), ('cooc',), ('compare', '--by', 'type'),
                 ('quotes', 'sante')),
            r'the project file is damaged: segment #\d+ has codings, and '
            r'its document \(#2\) is not in the project')


def t_bad_ids():
    """An id below 1, or far past the rows there are (arrays are indexed
    by id): the project is damaged, said by every command, where the
    report wrote before its index table, or ran out of memory."""
    cmds = (('list',), ('report',), ('cooc',), ('compare', '--by', 'type'),
            ('quotes', 'sante'), ('add', NEW_NOTE), ('recode',),
            ('export', '-f', 'csv', '-o', 'pj/bad-ids.csv'))
    for table, sql_id, shown in (
            ('documents', '-2', r'the id -2, where grille\'s ids start at 1'),
            ('codes', '0', r'the id 0, where grille\'s ids start at 1'),
            ('documents', '1099511627776',
             r'the id 1099511627776, far past its 5 rows'),
            ('codes', '9223372036854775807',
             r'the id 9223372036854775807, far past its \d+ rows')):
        db = five_notes('bad-id-%s-%s' % (table, sql_id.lstrip('-')),
                        'UPDATE %s SET id = %s WHERE id = 2' % (table, sql_id))
        refused(db, cmds, r'the project file is damaged: table %s has %s'
                % (table, shown))
    assert not os.path.exists(os.path.join(TMP, 'pj', 'bad-ids.csv'))


def t_bad_color():
    """A code's colour is written into HTML and into a qdpx as it is: one
    that is no #rrggbb is damage, said, where it put a script in the
    report and a qdpx that failed the schema."""
    db = five_notes('bad-color', "UPDATE codes SET color = "
                    "'\"/><script>alert(1)</script>' WHERE code = 'sante'")
    refused(db, (('report', '-f', 'html'), ('cooc', '-f', 'html'),
                 ('export', '-f', 'qdpx', '-o', 'pj/bad-color.qdpx')),
            r"the project file is damaged: code 'sante' has the color "
            r"'\"/><script>alert\(1\)</script>', not #rrggbb")
    assert not os.path.exists(os.path.join(TMP, 'pj', 'bad-color.qdpx'))
    db = five_notes('no-color', "UPDATE codes SET color = '' WHERE code = "
                    "'sante'")
    expect(grille('report', '-d', db, '-f', 'html'), 0, '')


def t_bad_spans():
    """A segment's offsets or line that add never writes (negative, past
    its text, inside a character): quotes and export say the project is
    damaged, where quotes showed another passage of the text (from its
    front matter) and export a line of 4294967295."""
    seg = ("(SELECT segment FROM codings WHERE code = (SELECT id FROM codes "
           "WHERE code = 'sante') ORDER BY id LIMIT 1)")
    quotes = (('quotes', 'sante'), ('quotes', 'sante', '-f', 'json'))
    db = five_notes('span-start', 'UPDATE segments SET start = -1 WHERE id '
                    '= ' + seg)
    refused(db, quotes, r'the project file is damaged: segment #\d+ spans '
            r'bytes -1 to \d+ \(line \d+\)')
    # (past the text: seen where the text is read, for the quotes shown)
    db = five_notes('span-end', 'UPDATE segments SET "end" = 1099511627776 '
                    'WHERE id IN (SELECT segment FROM codings)')
    refused(db, quotes, r'the project file is damaged: segment #\d+ spans '
            r'bytes \d+ to 1099511627776 \(line \d+\) of a text of \d+')
    db = five_notes('span-line', 'UPDATE segments SET line = -1 WHERE id = '
                    + seg)
    refused(db, quotes + (('export', '-f', 'csv', '-o', 'pj/span.csv'),),
            r'the project file is damaged: (a coding of )?segment #\d+ '
            r'spans bytes \d+ to \d+ \(line -1\)')
    assert not os.path.exists(os.path.join(TMP, 'pj', 'span.csv'))
    # starts moved into a two-byte letter (each coded segment's that has
    # one: the text is read for the quotes shown)
    db = five_notes('span-char')
    con = sqlite3.connect(os.path.join(TMP, db))
    for sid, start, end, text in con.execute(
            'SELECT g.id, g.start, g."end", CAST(d.text AS BLOB) FROM '
            'segments g JOIN documents d ON d.id = g.document WHERE g.id IN '
            '(SELECT segment FROM codings)').fetchall():
        inside = [i + 1 for i in range(start, end) if text[i] >= 0xC0]
        if inside:
            con.execute('UPDATE segments SET start = ? WHERE id = ?',
                        (inside[0], sid))
    con.commit()
    con.close()
    refused(db, quotes, r'the project file is damaged: segment #\d+ starts '
            r'inside a character \(byte \d+\)')


def t_cut_doc_stats():
    """A document's aggregates cut short: the report counts from the
    codings, and gives the figures of the sound project."""
    good = five_notes('stats-good')
    bad = five_notes('stats-cut', "UPDATE doc_stats SET cells = x'ff' "
                     "WHERE document = 3",
                     "UPDATE doc_stats SET pairs = CAST(pairs || x'05' AS "
                     "BLOB) WHERE document = 4")
    for args in (('report',), ('cooc',), ('compare', '--by', 'type')):
        want = grille(*(args[:1] + ('-d', good) + args[1:]))
        got = grille(*(args[:1] + ('-d', bad) + args[1:]))
        expect(got, 0, '')
        assert got.out.replace('stats-cut', 'stats-good') == want.out, (
            args, got.out[:300], want.out[:300])


def t_false_doc_stats():
    """A document's aggregates well formed but false (a count below 0, a
    theme in more segments than the document has coded, a quote placed
    past the text), or the top terms' (a term's hits changed, a row
    lost): the report counts from the codings, and gives the figures,
    top terms and verbatims of the sound project."""
    for name, sql in (
            ('words', 'UPDATE doc_stats SET words = -1 WHERE document = 2'),
            ('segments', 'UPDATE doc_stats SET segments = 1099511627776 '
             'WHERE document = 2'),
            ('coded', 'UPDATE doc_stats SET coded = -1 WHERE document = 3'),
            ('cells', "UPDATE doc_stats SET cells = "
             "x'010332322B32ED059F8D062000' WHERE document = 2"),
            # the top terms' counts (term_stats): a row changed or lost
            ('hits', 'UPDATE term_stats SET hits = 1099511627776 WHERE '
             'term IN (SELECT term FROM term_stats LIMIT 1)'),
            ('nohits', 'UPDATE term_stats SET hits = -1 WHERE term IN '
             '(SELECT term FROM term_stats LIMIT 1)'),
            ('term', "UPDATE term_stats SET term = '' WHERE term IN "
             "(SELECT term FROM term_stats LIMIT 1)"),
            ('lost', 'DELETE FROM term_stats WHERE term IN (SELECT term '
             'FROM term_stats LIMIT 3)')):
        good = five_notes('sg-' + name)
        bad = five_notes('sb-' + name, sql)
        for args in (('report',), ('report', '-f', 'json'), ('cooc',),
                     ('compare', '--by', 'type')):
            want = grille(*(args[:1] + ('-d', good) + args[1:]))
            got = grille(*(args[:1] + ('-d', bad) + args[1:]))
            expect(got, 0, '')
            assert got.out.replace('sb-' + name, 'sg-' + name) == want.out, (
                name, args, got.out[:300], want.out[:300])


def t_list_strings():
    """A document's encoding, hash and date are the project's strings,
    which a file edited by hand may fill with anything: list's JSON stays
    JSON (it printed them raw: a quote ended the string, a byte that is
    no UTF-8 made it unreadable), its CSV UTF-8."""
    db = five_notes('list-strings', "UPDATE documents SET encoding = "
                    "CAST(x'61C328FF6222' AS TEXT), added_at = 'x\"y', "
                    "sha256 = 'a\\b' WHERE id = 2")
    run = grille('list', '-d', db, '-f', 'json')
    expect(run, 0, '')
    doc = json.loads(run.out)['documents'][1]
    assert (doc['encoding'], doc['added_at'], doc['sha256']) == (
        'a\ufffd(\ufffdb"', 'x"y', 'a\\b'), doc
    run = grille('list', '-d', db, '-f', 'csv')
    expect(run, 0, '')
    assert ',"a\ufffd(\ufffdb""",' in run.out, run.out[:500]


def t_list_counts():
    """A document's words and bytes that no add writes (below 0, more
    words than bytes): list says the project is damaged, where it printed
    1099511638940 words, or 0 for -5.  JSON, as text and CSV, prints
    nothing then: it printed the rows before the damaged one, half an
    array."""
    for name, sql, shown in (
            ('words', 'UPDATE documents SET words = 1099511627776 WHERE id '
             '= 2', r'1099511627776 words in \d+ bytes'),
            ('bytes', 'UPDATE documents SET bytes = -5 WHERE id = 2',
             r'\d+ words in -5 bytes')):
        db = five_notes('list-' + name, sql)
        refused(db, (('list',), ('list', '-f', 'csv'), ('list', '-f', 'json')),
                r"the project file is damaged: document '[^']+' \(#2\) has "
                + shown)


def t_bad_stored_text():
    """A stored text that is no UTF-8, or has a NUL (edited by hand): said
    as the project's damage, with the document and the byte, by every
    command that reads it; export wrote it into the archive as it was, a
    NUL cut a quote short, recode and kwic blamed the analyser's input."""
    cut = ("UPDATE documents SET text = CAST(substr(CAST(text AS BLOB), 1, "
           "%d) || x'%s' || substr(CAST(text AS BLOB), %d) AS TEXT) WHERE "
           "id = (SELECT g.document FROM segments g JOIN codings c ON "
           "c.segment = g.id ORDER BY c.id LIMIT 1)")
    con = None
    for name, raw, shown in (('utf8', 'C3FF', r'is not UTF-8 at byte \d+ '
                              r'\(0xC3\)'),
                             ('nul', '00', r'has a NUL byte at byte \d+')):
        db = five_notes('text-' + name)
        con = sqlite3.connect(os.path.join(TMP, db))
        # inside the first coded segment: every command reads it
        start, end = con.execute(
            'SELECT g.start, g."end" FROM segments g JOIN codings c ON '
            'c.segment = g.id ORDER BY c.id LIMIT 1').fetchone()
        at = (start + end) // 2
        while con.execute('SELECT substr(CAST(text AS BLOB), ?, 1) < x\'80\' '
                          'FROM documents WHERE id = (SELECT g.document FROM '
                          'segments g JOIN codings c ON c.segment = g.id '
                          'ORDER BY c.id LIMIT 1)', (at + 1,)).fetchone()[0] \
                != 1:
            at += 1
        con.execute(cut % (at, raw, at + 1 + len(raw) // 2))
        con.commit()
        con.close()
        refused(db, (('recode',), ('kwic', 'masques'),
                     ('export', '-f', 'qdpx', '-o', 'pj/text.qdpx')),
                r"the project file is damaged: the text of document '[^']+' "
                r"\(#\d+\) " + shown)
        assert not os.path.exists(os.path.join(TMP, 'pj', 'text.qdpx'))


def t_quoted_segment_gone():
    """A verbatim the aggregates place in a segment deleted by hand: the
    text report says the project is damaged, where it said "no segment
    #43 in the project" as if the caller had asked for it."""
    db = five_notes('quoted-gone', 'DELETE FROM segments WHERE id IN '
                    '(SELECT segment FROM codings)')
    refused(db, (('report',),), r"the project file is damaged: a "
            r"document's aggregates \(doc_stats\) name segment #\d+ as a "
            r"verbatim, which is not in the project")


def t_dangling_codes():
    """A coding whose code is not in the table, a code whose parent is
    not, a cycle of parents: said, where the report dropped the theme
    silently and export left the codings or the codes out."""
    csv = ('export', '-f', 'csv', '-o', 'pj/gone.csv')
    qdpx = ('export', '-f', 'qdpx', '-o', 'pj/gone.qdpx')
    coding = (r'a coding of (segment #\d+|document \'[^\']+\' \(#\d+\)) '
              r'has the code #%s, which is not in the project')
    for name, sql, commands, message in (
            ('gone-code', "DELETE FROM codes WHERE code = 'sante/protection'",
             (('report',), ('cooc',), ('compare', '--by', 'type'), csv,
              qdpx), coding % r'\d+'),
            ('stray-code', 'UPDATE codings SET code = 999 WHERE id = (SELECT '
             'min(id) FROM codings)', (csv, qdpx), coding % '999'),
            ('gone-parent', "UPDATE codes SET parent = 999 WHERE code = "
             "'sante/protection'", (('report',), qdpx),
             r"code 'sante/protection' has the parent #999, which is not "
             r"in the project"),
            ('cycle', "UPDATE codes SET parent = id WHERE code = 'sante'",
             (('report',), qdpx),
             r"the parents of code 'sante' make a cycle")):
        refused(five_notes(name, sql), commands,
                r'the project file is damaged: ' + message)
    for f in ('gone.csv', 'gone.qdpx'):
        assert not os.path.exists(os.path.join(TMP, 'pj', f)), f


def t_missing_values():
    """A value every row has, gone (a damaged record): said, naming the
    project, never a crash."""
    db = five_notes('no-unit', 'NULLABLE meta value',
                    "UPDATE meta SET value = NULL WHERE key = 'unit'")
    refused(db, (('list',), ('report',)), r'the project file is damaged: its '
            r'unit \(table meta\) has no value')
    db = five_notes('no-unit-row', "DELETE FROM meta WHERE key = 'unit'")
    refused(db, (('list',), ('add', NEW_NOTE)), r'the project file is '
            r'damaged: its unit \(table meta\) has no value')
    db = five_notes('bad-unit', "UPDATE meta SET value = 'page' WHERE key = "
                    "'unit'")
    refused(db, (('list',),), r"the project file is damaged: its unit "
            r"\(table meta\) is 'page', not paragraph or sentence")
    db = five_notes('no-name', 'NULLABLE documents name',
                    'UPDATE documents SET name = NULL WHERE id = 3')
    refused(db, (('export', '-f', 'qdpx', '-o', 'pj/no-name.qdpx'),),
            r'the project file is damaged: document #3 has no name')
    assert not os.path.exists(os.path.join(TMP, 'pj', 'no-name.qdpx'))
    db = five_notes('no-text', 'NULLABLE documents text',
                    'UPDATE documents SET text = NULL WHERE id = 3')
    refused(db, (('export', '-f', 'qdpx', '-o', 'pj/no-text.qdpx'),),
            r'the project file is damaged: document #3 has no text')
    refused(db, (('report',),), r'the project file is damaged: the text of '
            r'document #3 is missing')
    refused(db, (('recode',),), r"the project file is damaged: document "
            r"'[^']+' \(#3\) has no text")
    for name, body in (('body-past', '999999'), ('body-before', '-5')):
        db = five_notes(name, 'UPDATE documents SET body = %s WHERE id = 4'
                        % body)
        refused(db, (('recode',), ('kwic', 'masques'),
                     ('export', '-f', 'qdpx', '-o', 'pj/body.qdpx')),
                r"the project file is damaged: document '[^']+' \(#4\) has "
                r"its body at byte %s, outside its text of \d+" % body)
    assert not os.path.exists(os.path.join(TMP, 'pj', 'body.qdpx'))


def t_import_damaged_namesake():
    """An import whose source has the name of a document whose body is
    damaged: said, where the damage was taken for another text and the
    source imported as 'n.md (2)'."""
    a = write('namesake/a/n.md', 'Les masques sont arrivés en avril.\n')
    b = write('namesake/b/n.md', 'Le télétravail a duré deux mois.\n')
    for db, note in (('pj/namesake-a.db', a), ('pj/namesake-b.db', b)):
        expect(grille('init', '-d', db), 0, '', '.*\n')
        expect(grille('add', '-d', db, note), 0, '', '.*\n')
    expect(grille('export', '-d', 'pj/namesake-a.db', '-f', 'qdpx', '-o',
                  'pj/namesake.qdpx'), 0, '', '.*')
    con = sqlite3.connect(os.path.join(TMP, 'pj', 'namesake-b.db'))
    con.execute('UPDATE documents SET body = 999999')
    con.commit()
    con.close()
    refused('pj/namesake-b.db', (('import', 'pj/namesake.qdpx'),),
            r"the project file is damaged: document 'n.md' \(#1\) has its "
            r"body at byte 999999, outside its text of \d+")


def t_export_read_error():
    """A page of the project zeroed: export says the project is damaged
    and writes no archive (it wrote one without the sources, exit 0)."""
    for page in (4, 10):
        db = five_notes('zeroed-%d' % page)
        path = os.path.join(TMP, db)
        con = sqlite3.connect(path)
        psize = con.execute('PRAGMA page_size').fetchone()[0]
        con.close()
        data = bytearray(open(path, 'rb').read())
        if len(data) < (page + 1) * psize:
            continue
        data[page * psize:(page + 1) * psize] = bytes(psize)
        open(path, 'wb').write(data)
        out = os.path.join('pj', 'zeroed-%d.qdpx' % page)
        run = grille('export', '-d', db, '-f', 'qdpx', '-o', out)
        expect(run, 1, r'grille: %s: [^\n]*the project file is damaged'
               r'[^\n]*\n' % esc(db), '')
        assert not os.path.exists(os.path.join(TMP, out)), out


def t_store_messages_read_well():
    """'cannot list documents', 'while listing', never 'while list'."""
    msgs = [l for r in DAMAGED + [FULL.get('run')] if r
            for l in r.err.splitlines() if not l.startswith('grille: warn')]
    if not msgs:
        raise AssertionError('no project error message to read')
    bad = [m for m in msgs
           if re.search(r'\bwhile (?!\w+ing\b)[a-z]+\b', m) or
           re.search(r'\bcannot \w+ing\b', m)]
    assert not bad, 'ungrammatical: %s' % ' | '.join(sorted(set(bad)))


# -------------------------------------------------------------------- run

for name, fn in [
        ('a project with one good note', t_setup),
        ('empty file: tag gives no segment, add says no text to code',
         t_empty),
        ('white-space-only file: tag gives no segment, add refuses it',
         t_blank),
        ('non-breaking-space-only file: tag gives no segment, add refuses '
         'it', t_blank_nbsp),
        ('a front matter and nothing else: tag says add refuses it, add '
         'does', t_front_matter_only),
        ('a 1 MB single line is tagged in < 10 s (linear time)',
         t_big_linear),
        ('a 50 MB single line: tag exits 0 in < 120 s with valid JSON and '
         'every coding at its offset', t_big_tag),
        ('stdout or stderr closed: said, no crash, same output',
         t_closed_std_fds),
        ('a 50 MB single line: tag uses at most 2 x file + 64 MB',
         t_big_memory),
        ('NUL byte: refused as binary with its byte offset', t_nul),
        ('invalid UTF-8 in the middle: refused with its byte offset',
         t_invalid_utf8),
        ('UTF-8 sequence cut at the end: truncated, with its offset',
         t_truncated_utf8),
        ('UTF-16 LE with BOM: converted with a warning, offsets right',
         t_utf16le),
        ('UTF-16 BE with BOM: converted with a warning, offsets right',
         t_utf16be),
        ('Windows-1252 with 0x92 and 0x9C: converted, keeps ’ and œ',
         t_cp1252),
        ('CR-only line ends: line numbers right', t_cr_only),
        ('UTF-8 BOM then front matter: attributes read', t_bom_front_matter),
        ('unterminated front matter: error on line 1',
         t_unterminated_front_matter),
        ('front matter that is not YAML: line and column',
         t_front_matter_not_yaml),
        ('a front matter key indented further than the one above: said',
         t_front_matter_key_indented),
        ('a block after blank lines read as text: a warning with its line',
         t_front_matter_aside),
        ('a folder given to tag: its notes, as add takes them', t_folder),
        ('an unreadable file (run as nobody)', t_unreadable),
        ('an unreadable subfolder and a pipe in a folder (run as nobody)',
         t_unreadable_folder),
        ('a missing file', t_missing),
        ('folders too deep, a name with a line end, a project named .md',
         t_odd_folders),
        ('symlink loops in a folder given to add: skipped, no hang',
         t_symlink_loops),
        ('codebook: YAML alias bomb refused promptly', t_alias_bomb),
        ('codebook: a million patterns and one refused, in little memory',
         t_too_many_patterns),
        ('codebook: 10,000 themes load and tag in < 5 s',
         t_ten_thousand_themes),
        ('codebook: nesting 1,000 deep refused with its location',
         t_deep_nesting),
        ("catastrophic regex (a+)+$ stops in < 10 s naming rule, theme, line",
         lambda: catastrophic(0, '(a+)+$')),
        ("catastrophic regex (a|aa)+$ stops in < 10 s naming rule, theme, "
         "line", lambda: catastrophic(1, '(a|aa)+$')),
        ("catastrophic regex (a*)*b stops in < 10 s naming rule, theme, line",
         lambda: catastrophic(2, '(a*)*b')),
        ('codebook: invalid regex with PCRE2 message and offset',
         t_invalid_regex),
        ('codebook: duplicate ids at the second one', t_duplicate_ids),
        ('codebook: not UTF-8, with line, column and byte',
         t_codebook_not_utf8),
        ('project: a text file, refused by list, report and add',
         t_text_file_project),
        ('project: a SQLite database that is not grille\'s', t_other_sqlite),
        ('project: made by a newer grille', t_newer_project),
        ('project: a header version that table meta contradicts',
         t_header_version_damaged),
        ('project: codings without their document: said, no crash',
         t_orphan_codings),
        ('project: aggregates cut short: counted from the codings',
         t_cut_doc_stats),
        ('project: aggregates well formed but false: counted from the '
         'codings', t_false_doc_stats),
        ('front matter and codebook: a key glued to its value, said on its '
         'line', t_front_matter_glued_colon),
        ('front matter fenced with four dashes: said', t_front_matter_four_dashes),
        ('project: strings edited by hand: list -f json stays JSON',
         t_list_strings),
        ('project: words and bytes no add writes: said by list',
         t_list_counts),
        ('project: a stored text that is no UTF-8 or has a NUL: said with '
         'its byte', t_bad_stored_text),
        ('project: an import beside a damaged document of its name: said',
         t_import_damaged_namesake),
        ('project: a verbatim\'s segment deleted by hand: said as damage',
         t_quoted_segment_gone),
        ('project: a coding\'s or a parent\'s code not in the table: said '
         'by report and export', t_dangling_codes),
        ('project: an id below 1 or far past the rows: said by every '
         'command', t_bad_ids),
        ('project: a colour that is no #rrggbb: said, no script in the '
         'HTML', t_bad_color),
        ('project: a segment\'s offsets or line out of range: said by '
         'quotes and export', t_bad_spans),
        ('project: a NULL where a value must be: said, no crash',
         t_missing_values),
        ('project: export of a damaged project writes nothing, exit 1',
         t_export_read_error),
        ('project: no schema version (tampered)', t_no_version_project),
        ('project: a device or a pipe', t_device_or_pipe_project),
        ('project: read-only, add fails and changes nothing', t_read_only),
        ('project: a failed read-only command leaves no file beside it',
         t_read_only_leaves_nothing),
        ('project: once write access is back, add works',
         t_read_only_then_writable),
        ('project: one its user may not read: said so',
         t_unreadable_project),
        ('project: schema 5 attributes read as it is and upgraded alike',
         t_schema5_attributes),
        ('a long paragraph of proximity pairs and exclusions: no hang',
         t_long_paragraph_proximity),
        ('project: disk full (ulimit -f): exit 1, nothing added, intact',
         t_full_disk),
        ('project: disk full (ulimit -f): the message says so',
         t_full_disk_message),
        ('init on a disk that fills: a whole project or nothing',
         t_init_full_disk),
        ('-o over a hard-linked file: written over; a full disk keeps it',
         t_output_kept_file_full_disk),
        ('recode on a full disk: no table of changes it did not make',
         t_recode_full_disk_prints_nothing),
        ('add: its -wal fits, the project cannot grow: said',
         t_add_checkpoint_full_disk),
        ('project: damaged documents pages: list, report, add say damaged',
         t_damaged),
        ('project: damaged middle pages: never a crash', t_damaged_middle),
        ('out of memory (ulimit -v): said, exit 1, never a crash',
         t_out_of_memory),
        ('project: the error messages of damaged and full projects are '
         'grammatical',
         t_store_messages_read_well)]:
    check(name, fn)

print('1..%d' % len(results))
shutil.rmtree(TMP, ignore_errors=True)
sys.exit(1 if any(why for _, why in results) else 0)
