#!/usr/bin/env python3
"""The benchmark: grille side by side with the Python peer and wc -w.

Usage: tests/bench/run.py [--mb 100] [--seed 2020] [--runs 3] [--quick]

Generates (once, cached in build/bench/) a realistic corpus with
tests/bench/gen.py, then measures in one go, on the same files:
  - wc -w, the Python peer (../shared/bench/peer_python.py, Debian's
    /usr/bin/python3 with python3-stemmer), grille tag -f json on one and
    two threads, for the many notes and for the same text as one large file;
  - the minimal word-lookup loop (tests/bench/minimal.c, compiled into
    build/bench/): read, split, lowercase, hash and look up each word, and
    nothing else, to show what the targets ask on the machine at hand;
  - grille add into a fresh project, then report, cooc and compare on it,
    and tag on one thread again (add is compared with that tag),
    a recode with the same codebook, and an export to REFI-QDA (once);
  - grille tag on a 1 KB note, codebook loading included;
  - peak RSS (/usr/bin/time -f %M) of tag and of add, the latter on a
    quarter and on the whole corpus;
  - instructions per input byte of tag (valgrind --tool=callgrind) on a
    2 MB slice: stable from run to run, unlike seconds.
Each time is the median of --runs runs, the commands compared by a target
run in turn (wc, the minimal loop, tag on one thread, on two; add, report,
cooc, compare, and tag again, which add is compared with);
the Python peer runs once: it is slow. Prints a table, checks that -j 2
gives the same bytes as one thread, and the fast paths the same bytes as the
plain ones (GRILLE_REFERENCE=1) on the whole corpus, and writes
docs/performance.md from tests/bench/performance.md.in.
"""
import argparse
import glob
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GRILLE = os.path.join(ROOT, 'build', 'cli', 'grille')
PEER = os.path.join(os.path.dirname(ROOT), 'shared', 'bench', 'peer_python.py')
MINIMAL = os.path.join(ROOT, 'build', 'bench', 'minimal')


def build_minimal():
    """Compiles tests/bench/minimal.c at -O2 without -march, as grille's
    build is (debugoptimized)."""
    src = os.path.join(HERE, 'minimal.c')
    os.makedirs(os.path.dirname(MINIMAL), exist_ok=True)
    subprocess.run([os.environ.get('CC', 'cc'), '-std=c11', '-O2',
                    '-D_POSIX_C_SOURCE=200809L', '-o',
                    MINIMAL, src], check=True)


def run(cmd, stdout=subprocess.DEVNULL, env=None, cwd=None):
    """Wall time of a command, in seconds; fails loudly."""
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env,
                       cwd=cwd)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit('%s: exit %d: %s' % (' '.join(cmd[:3]),
                                              p.returncode,
                                              p.stderr.decode()[-500:]))
    return dt


def median(cmd, runs, before=None, **kw):
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(run(cmd, **kw))
    return statistics.median(times)


def rotation(cmds, runs, before=None, after_first=None):
    """The median time of each command, run in turn `runs` times (a, b, c,
    a, b, c...): a ratio of two of them is not moved by a change of the
    machine's speed (a neighbour on a shared host) between their runs.
    `before` runs before each round, `after_first` after its first
    command, untimed."""
    times = [[] for _ in cmds]
    for _ in range(runs):
        if before:
            before()
        for i, cmd in enumerate(cmds):
            times[i].append(run(cmd))
            if i == 0 and after_first:
                after_first()
    return [statistics.median(t) for t in times]


def peak_rss_mb(cmd, before=None):
    if before:
        before()
    out = subprocess.run(['/usr/bin/time', '-f', '%M'] + cmd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(out.stderr.decode().strip().split('\n')[-1]) / 1024


def instructions(cmd):
    out = subprocess.run(['valgrind', '--tool=callgrind',
                          '--callgrind-out-file=/dev/null'] + cmd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    m = re.search(r'Collected : (\d+)', out.stderr.decode())
    return int(m.group(1)) if m else 0


def sha(cmd, env=None):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, env=env)
    return hashlib.sha256(out.stdout).hexdigest()


def machine():
    cpu = '?'
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30
    return '%s, %d cores, %.0f GiB, %s %s' % (
        cpu, os.cpu_count(), mem, platform.system(), platform.release())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mb', type=float, default=100)
    ap.add_argument('--seed', type=int, default=2020)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--no-doc', action='store_true',
                    help='do not rewrite docs/performance.md')
    a = ap.parse_args()
    if not os.path.exists(GRILLE):
        raise SystemExit('build grille first: ./run')
    corpus = os.path.join(ROOT, 'build', 'bench',
                          'corpus-%gmb-%d' % (a.mb, a.seed))
    if not os.path.isdir(corpus):
        print('generating %g MB of notes in %s ...' % (a.mb, corpus),
              file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(HERE, 'gen.py'), corpus,
                        '--mb', str(a.mb), '--seed', str(a.seed),
                        '--big-file'], check=True)
    notes = sorted(glob.glob(os.path.join(corpus, 'notes', '*', '*.md')))
    big = os.path.join(corpus, 'big', 'one.md')
    mb_notes = sum(os.path.getsize(f) for f in notes) / 1e6
    mb_big = os.path.getsize(big) / 1e6
    tmp = tempfile.mkdtemp(prefix='grille-bench-')
    rows = []
    R = a.runs

    def row(what, seconds, mb, note=''):
        rows.append((what, seconds, mb / seconds if seconds else 0, note))
        print('%-44s %8.3f s %8.1f MB/s  %s' % (what, seconds,
                                                mb / seconds if seconds
                                                else 0, note),
              file=sys.stderr)
        return seconds

    build_minimal()
    tag = [GRILLE, 'tag', '-f', 'json']
    tag2 = tag[:2] + ['-j', '2'] + tag[2:]
    m = rotation([['wc', '-w'] + notes, [MINIMAL] + notes, tag + notes,
                  tag2 + notes], R)
    wc_n = row('wc -w, %d notes' % len(notes), m[0], mb_notes)
    mini = row('minimal word-lookup loop (minimal.c)', m[1], mb_notes,
               'reads, splits, hashes, looks up; nothing else')
    t1 = row('grille tag -f json, 1 thread', m[2], mb_notes)
    t2 = row('grille tag -f json -j 2', m[3], mb_notes)
    # the peer once, between two runs of the minimal loop: their ratio
    # is not moved by the machine's speed much more than the runs are
    t = run([MINIMAL] + notes)
    peer = row('Python peer (peer_python.py)',
               run(['/usr/bin/python3', PEER] + notes), mb_notes)
    mini_peer = (t + run([MINIMAL] + notes)) / 2
    m = rotation([['wc', '-w', big], tag + [big], tag2 + [big]], R)
    wc_b = row('wc -w, one large file', m[0], mb_big)
    b1 = row('grille tag, one large file, 1 thread', m[1], mb_big)
    b2 = row('grille tag, one large file, -j 2', m[2], mb_big)
    # one thread, two, and the plain paths the fast ones must agree with
    # (GRILLE_REFERENCE=1: every index and glob for every token, masks
    # and overlaps checked pairwise), on the whole corpus
    ref = dict(os.environ, GRILLE_REFERENCE='1')
    h_notes, h_big = sha(tag + notes), sha(tag + [big])
    same_notes = h_notes == sha(tag2 + notes)
    same_big = h_big == sha(tag2 + [big])
    ref_notes = h_notes == sha(tag + notes, env=ref)
    ref_big = h_big == sha(tag + [big], env=ref)

    db = os.path.join(tmp, 'bench.db')

    def fresh():
        for f in glob.glob(db + '*'):
            os.unlink(f)
        # the last round's project written out (and its blocks freed)
        # before this one: else its writing slows the next add's commit,
        # by a tenth and more
        os.sync()
        subprocess.run([GRILLE, 'init', '-d', db], check=True,
                       stdout=subprocess.DEVNULL)

    # an add into a fresh project, then the commands that read it, in
    # each round; the add's 270 MB written out before them (untimed), as
    # before each add: the kernel writes them after add returns, and a
    # report timed meanwhile shared the two cores with that write (29 ms
    # alone, 45 ms then, in either build).  Each round ends with a tag of
    # the notes on one thread, which add is compared with: timed in the
    # same rounds as add, not minutes before with wc (add vs tag moved
    # from 1.52 to 2.29 with the machine's speed between the two)
    m = rotation([[GRILLE, 'add', '-d', db] + notes,
                  [GRILLE, 'report', '-d', db], [GRILLE, 'cooc', '-d', db],
                  [GRILLE, 'compare', '--by', 'type', '-d', db],
                  tag + notes], R,
                 before=fresh, after_first=os.sync)
    add = row('grille add, %d notes' % len(notes), m[0], mb_notes)
    rep = row('grille report', m[1], mb_notes)
    coo = row('grille cooc', m[2], mb_notes)
    cmp_ = row('grille compare --by type', m[3], mb_notes)
    t_add = row('grille tag -f json, 1 thread, in the rounds of add', m[4],
                mb_notes)
    row('grille recode, the same codebook',
        median([GRILLE, 'recode', '-d', db], R), mb_notes,
        'after each edit of a codebook')
    qdpx = os.path.join(tmp, 'bench.qdpx')
    t = time.perf_counter()
    rss_exp = peak_rss_mb([GRILLE, 'export', '-d', db, '-f', 'qdpx', '-o',
                           qdpx])
    row('grille export -f qdpx', time.perf_counter() - t, mb_notes,
        'once; peak RSS %.0f MB, archive %.0f MB' % (
            rss_exp, os.path.getsize(qdpx) / 1e6))
    os.unlink(qdpx)
    # the disk writes the archive's 170 MB after export returns: a short
    # command timed meanwhile waits on that (a 1 KB note 13.9 ms against
    # 10.3 ms, the same build a minute later), as a report after an add
    os.sync()
    small = os.path.join(tmp, 'note-1k.md')
    with open(notes[0], encoding='utf-8') as f:
        text = f.read()
    with open(small, 'w', encoding='utf-8') as f:
        f.write(text[:1024].rsplit(' ', 1)[0] + '\n')
    one_kb = statistics.median(run([GRILLE, 'tag', small]) for _ in range(21))

    rss_tag = peak_rss_mb(tag + notes)
    rss_big = peak_rss_mb(tag + [big])
    largest = max(os.path.getsize(f) for f in notes + [big]) / 2**20
    quarter = notes[:len(notes) // 4]
    rss_add_q = peak_rss_mb([GRILLE, 'add', '-d', db] + quarter, before=fresh)
    rss_add = peak_rss_mb([GRILLE, 'add', '-d', db] + notes, before=fresh)

    slice_files, size = [], 0
    for f in notes:
        slice_files.append(f)
        size += os.path.getsize(f)
        if size >= 2 * 10**6:
            break
    ins = instructions(tag + slice_files) / size

    shutil.rmtree(tmp, ignore_errors=True)

    def ok(b):
        return 'yes' if b else '**no**'

    targets = [
        ('tag, 1 thread, vs wc -w (time ratio)', '%.2f' % (t1 / wc_n),
         '<= 1', ok(t1 <= wc_n)),
        ('tag, 1 thread, vs the Python peer (speed-up)', '%.1fx' % (peer / t1),
         '>= 30x', ok(peer / t1 >= 30)),
        ('-j 2 vs 1 thread, many notes (speed-up)', '%.2fx' % (t1 / t2),
         '>= 1.7x', ok(t1 / t2 >= 1.7)),
        ('-j 2 vs 1 thread, one large file (speed-up)', '%.2fx' % (b1 / b2),
         '>= 1.7x', ok(b1 / b2 >= 1.7)),
        ('-j 2 output identical to 1 thread', ok(same_notes and same_big),
         'yes', ok(same_notes and same_big)),
        ('fast paths identical to the plain ones (`GRILLE_REFERENCE=1`), '
         'whole corpus', ok(ref_notes and ref_big), 'yes',
         ok(ref_notes and ref_big)),
        ('add vs tag, in the same rounds (time ratio)',
         '%.2f' % (add / t_add), '<= 1.5', ok(add / t_add <= 1.5)),
        ('report vs add', '%.1f%%' % (100 * rep / add), '< 2%',
         ok(rep / add < 0.02)),
        ('cooc vs add', '%.1f%%' % (100 * coo / add), '< 2%',
         ok(coo / add < 0.02)),
        ('compare vs add', '%.1f%%' % (100 * cmp_ / add), '< 2%',
         ok(cmp_ / add < 0.02)),
        ('tag of a 1 KB note, codebook loading included',
         '%.1f ms' % (1000 * one_kb), '< 10 ms', ok(one_kb < 0.010)),
        ('peak RSS of tag, many notes', '%.0f MB' % rss_tag,
         '<= %.0f MB' % (2 * largest + 32),
         ok(rss_tag <= 2 * largest + 32)),
        ('peak RSS of tag, one large file', '%.0f MB' % rss_big,
         '<= %.0f MB' % (2 * largest + 32), ok(rss_big <= 2 * largest + 32)),
        ('peak RSS of add: a quarter, then all the notes',
         '%.0f MB, %.0f MB' % (rss_add_q, rss_add), 'does not grow',
         ok(rss_add <= rss_add_q * 1.25 + 8)),
        ('instructions per input byte (tag, 2 MB slice)', '%.0f' % ins, '',
         ''),
        ('for scale: the minimal word-lookup loop vs wc -w (time ratio)',
         '%.2f' % (mini / wc_n), '', ''),
        ('for scale: the minimal loop vs the Python peer (speed-up)',
         '%.1fx' % (peer / mini_peer), '', ''),
        ('for scale: tag, 1 thread, vs the minimal loop (time ratio)',
         '%.2f' % (t1 / mini), '', ''),
    ]
    table = ['| measure | seconds | MB/s | note |', '|---|---:|---:|---|']
    for what, s, rate, note in rows:
        table.append('| %s | %.3f | %.1f | %s |' % (what, s, rate, note))
    tt = ['| target | measured | wanted | holds |', '|---|---:|---:|:---:|']
    for t in targets:
        tt.append('| %s | %s | %s | %s |' % t)
    print()
    print('\n'.join(table))
    print()
    print('\n'.join(tt))
    if a.no_doc:
        return 0
    with open(os.path.join(HERE, 'performance.md.in'), encoding='utf-8') as f:
        doc = f.read()
    doc = doc.replace('@MACHINE@', machine())
    doc = doc.replace('@CORPUS@', '%d notes, %.0f MB (seed %d), and the same '
                      'text as one file of %.0f MB' % (len(notes), mb_notes,
                                                      a.seed, mb_big))
    doc = doc.replace('@DATE@', time.strftime('%Y-%m-%d'))
    doc = doc.replace('@MEASURES@', '\n'.join(table))
    doc = doc.replace('@TARGETS@', '\n'.join(tt))
    for key, v in (('@MINI_WC@', '%.2f' % (mini / wc_n)),
                   ('@MINI_PEER@', '%.0f' % (peer / mini_peer)),
                   ('@WC_OVER_MINI@', '%.1f' % (wc_n / mini)),
                   ('@PEER30_OVER_MINI@', '%.1f' % (peer / 30 / mini_peer)),
                   ('@TAG_OVER_MINI@', '%.1f' % (t1 / mini))):
        doc = doc.replace(key, v)
    with open(os.path.join(ROOT, 'docs', 'performance.md'), 'w',
              encoding='utf-8') as f:
        f.write(doc)
    print('\nwrote docs/performance.md', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
