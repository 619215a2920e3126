#!/usr/bin/env python3
"""Runs the user guide (docs/guide.md, or the page named as the argument,
relative to the repository: README.md) and checks that it tells the truth.

Environment: GRILLE (the grille binary) and GRILLE_SOURCE_DIR (the root of
the repository).  Prints TAP on standard output.

The guide is read from top to bottom:

- a ```console block holds commands, each on a line that starts with "$ ",
  followed by the lines that command prints (standard output and standard
  error merged, in the order they were written);
- a fenced block whose info string names a file (```yaml file=ma-grille.yaml)
  is written to that file when it is reached, so that the commands after
  it can use it, as a reader would create it with an editor;
- every other block (```sh for the installation, ```text...) is not run.

All the commands run in order, with bash, in one fresh temporary working
folder.  It first receives a copy of corpus/ (./corpus), codebooks/
(./codebooks) and tests/gold/ (./tests/gold, so that the gold's paths
../../corpus/... resolve as they do in the repository), and a small Word
file, entretien-lodeve.docx, for the error section.  A folder holding a
link `grille` -> $GRILLE comes first on PATH, so that the guide can say
plain `grille ...`.  NO_COLOR=1 is set and GRILLE_DB is unset.

Each command's output must equal the lines that follow it in the block,
line by line (trailing spaces and trailing blank lines are ignored), except
that a line made only of "…" (or "...") stands for any number of lines,
none included.  One TAP line per command.

With --update, the outputs that differ are written into the guide instead
(keeping the shape of its elisions: as many lines before and after a "…"
as the guide had).  Read the diff before committing it.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ELLIPSIS = ('…', '...')
FENCE = re.compile(r'^(`{3,}|~{3,})(.*)$')


class GuideError(Exception):
    pass


def parse(path):
    """The guide's steps, in order: ('file', name, text, line) and
    ('cmd', command, expected lines, line)."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    steps = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group(1), m.group(2).strip()
        start = i + 1
        j = start
        while j < len(lines):
            close = lines[j].rstrip()
            if close.startswith(fence[0] * len(fence)) and \
                    close.strip(fence[0]) == '':
                break
            j += 1
        if j == len(lines):
            raise GuideError('line %d: block never closed' % (i + 1))
        body = lines[start:j]
        words = info.split()
        lang = words[0] if words else ''
        if lang == 'console':
            cmd = None
            for k, line in enumerate(body):
                if line.startswith('$ '):
                    if cmd is not None:
                        steps.append(cmd)
                    cmd = ('cmd', line[2:], [], start + k + 1)
                elif cmd is None:
                    raise GuideError('line %d: console block does not start '
                                     'with a "$ " command' % (start + k + 1))
                else:
                    cmd[2].append(line)
            if cmd is None:
                raise GuideError('line %d: empty console block' % (i + 1))
            steps.append(cmd)
        else:
            for w in words[1:]:
                if w.startswith('file='):
                    name = w[len('file='):]
                    if name.startswith('/') or '..' in name.split('/'):
                        raise GuideError('line %d: file=%s must stay in the '
                                         'working folder' % (i + 1, name))
                    text = '\n'.join(body) + '\n'
                    steps.append(('file', name, text, i + 1))
        i = j + 1
    return steps


def normalize(lines):
    out = [line.rstrip() for line in lines]
    while out and out[-1] == '':
        out.pop()
    return out


def matches(expected, actual):
    """Whether actual matches expected, where an ellipsis line stands for
    any number of lines."""
    n, m = len(expected), len(actual)
    # ok[i][j]: expected[i:] matches actual[j:]
    ok = [[False] * (m + 1) for _ in range(n + 1)]
    ok[n][m] = True
    for i in range(n - 1, -1, -1):
        if expected[i].strip() in ELLIPSIS:
            # zero lines, or one more line
            for j in range(m, -1, -1):
                ok[i][j] = ok[i + 1][j] or (j < m and ok[i][j + 1])
        else:
            for j in range(m - 1, -1, -1):
                ok[i][j] = expected[i] == actual[j] and ok[i + 1][j + 1]
    return ok[0][0]


def first_mismatch(expected, actual):
    """A greedy walk for the message of a failure: the index of the first
    expected line that is not found where it should be, and the index of
    the actual line it was compared with (None past the end)."""
    j = 0
    skipping = False
    for i, want in enumerate(expected):
        if want.strip() in ELLIPSIS:
            skipping = True
            continue
        if skipping:
            k = j
            while k < len(actual) and actual[k] != want:
                k += 1
            if k == len(actual):
                return i, None
            j = k + 1
            skipping = False
        elif j < len(actual) and actual[j] == want:
            j += 1
        else:
            return i, (j if j < len(actual) else None)
    if not skipping and j < len(actual):
        return len(expected), j
    return None


def explain(want, actual, line):
    """Comments (TAP diagnostics) on why an output does not match."""
    print('# docs/guide.md:%d: the output differs from the guide' % line)
    if not any(w.strip() in ELLIPSIS for w in want):
        diff = list(difflib.unified_diff(want, actual, lineterm='', n=2))
        for d in diff[2:82]:
            print('#   ' + d)
        if len(diff) > 82:
            print('#   (%d more diff lines)' % (len(diff) - 82))
        return
    where = first_mismatch(want, actual)
    if where is None:
        # the greedy walk found a match that the full one did not: the
        # ellipses are ambiguous; show both sides
        where = (0, 0)
    i, j = where
    if i < len(want):
        print('#   guide line %d of the output: %r' % (i + 1, want[i]))
    else:
        print('#   the guide\'s output ends here')
    if j is None:
        print('#   grille printed nothing that matches it (%d lines in '
              'all)' % len(actual))
    else:
        print('#   grille line %d: %r' % (j + 1, actual[j]))
    print('#   grille printed:')
    for a in actual[:60]:
        print('#     ' + a)
    if len(actual) > 60:
        print('#     (%d more lines)' % (len(actual) - 60))


def make_docx(path):
    """A small but real Word document (a zip file, so binary)."""
    parts = {
        '[Content_Types].xml':
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="'
            'application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        '_rels/.rels':
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        'word/document.xml':
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Entretien '
            'DGS de Lodève, notes à reprendre.</w:t></w:r></w:p></w:body>'
            '</w:document>',
    }
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 6, 12, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


def setup(root, source, grille):
    work = os.path.join(root, 'travail')
    bindir = os.path.join(root, 'bin')
    os.mkdir(work)
    os.mkdir(bindir)
    os.symlink(os.path.abspath(grille), os.path.join(bindir, 'grille'))
    shutil.copytree(os.path.join(source, 'corpus'),
                    os.path.join(work, 'corpus'))
    shutil.copytree(os.path.join(source, 'codebooks'),
                    os.path.join(work, 'codebooks'))
    shutil.copytree(os.path.join(source, 'tests', 'gold'),
                    os.path.join(work, 'tests', 'gold'))
    make_docx(os.path.join(work, 'entretien-lodeve.docx'))
    env = dict(os.environ)
    env.pop('GRILLE_DB', None)
    env['NO_COLOR'] = '1'
    env['LC_ALL'] = 'C.UTF-8'
    env['PATH'] = bindir + os.pathsep + env.get('PATH', '/usr/bin:/bin')
    return work, env


def tap_text(s):
    return s.replace('\\', '\\\\').replace('#', '\\#')


def main():
    grille = os.environ.get('GRILLE')
    source = os.environ.get('GRILLE_SOURCE_DIR')
    if not grille or not source:
        print('Bail out! GRILLE and GRILLE_SOURCE_DIR must be set')
        return 1
    # another page of console blocks may be named (README.md: its tour)
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    guide = os.path.join(source, args[0] if args else
                         os.path.join('docs', 'guide.md'))
    try:
        steps = parse(guide)
    except (OSError, GuideError) as e:
        print('Bail out! %s: %s' % (guide, e))
        return 1
    cmds = [s for s in steps if s[0] == 'cmd']
    if not cmds:
        print('Bail out! %s: no console block' % guide)
        return 1
    print('1..%d' % len(cmds))
    failed = 0
    n = 0
    updates = []
    with tempfile.TemporaryDirectory(prefix='grille-guide-') as root:
        work, env = setup(root, source, grille)
        for step in steps:
            if step[0] == 'file':
                _, name, text, _ = step
                path = os.path.join(work, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(text)
                continue
            _, cmd, expected, line = step
            n += 1
            try:
                r = subprocess.run(['bash', '-c', cmd], cwd=work, env=env,
                                   stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=300)
                out = r.stdout.decode('utf-8', errors='replace')
            except subprocess.TimeoutExpired:
                out = '(timed out after 300 s)'
            actual = normalize(out.split('\n'))
            want = normalize(expected)
            desc = tap_text('$ ' + cmd)
            if matches(want, actual):
                print('ok %d - %s' % (n, desc))
                continue
            failed += 1
            print('not ok %d - %s' % (n, desc))
            explain(want, actual, line)
            updates.append((line, actual))
    if '--update' in sys.argv and updates:
        rewrite(guide, updates)
    return 1 if failed else 0


def rewrite(guide, updates):
    """Puts the actual outputs into the guide, bottom up."""
    with open(guide, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for line, actual in sorted(updates, reverse=True):
        i = line  # index of the first output line (the command is line-1)
        j = i
        while j < len(lines) and not lines[j].startswith('$ ') and \
                not FENCE.match(lines[j]):
            j += 1
        old = lines[i:j]
        marks = [k for k, x in enumerate(old) if x.strip() in ELLIPSIS]
        new = list(actual)
        while new and not new[-1].strip():
            new.pop()
        if len(marks) > 1:
            print('# docs/guide.md:%d: several elisions, update it by hand'
                  % line)
            continue
        if marks:
            head = marks[0]
            tail = len(old) - marks[-1] - 1
            if head + tail < len(new):
                new = new[:head] + ['…'] + (new[len(new) - tail:]
                                            if tail else [])
        lines[i:j] = new
    with open(guide, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


if __name__ == '__main__':
    sys.exit(main())
