#!/usr/bin/env python3
"""The man page documents exactly what the binary accepts.

For every command that `grille --help` lists, the options that
`grille CMD --help` shows must appear in the man page's section for that
command (.SS "grille CMD ..."), and every option named in that section must
be one the command shows (so the page neither lacks nor invents any).  The
commands themselves must each have a section, and the page no section for
a command that does not exist.  -h/--help, common to all, is left out.
Prints TAP.
"""
import os
import re
import shutil
import subprocess
import sys

G = os.environ['GRILLE']
S = os.environ['GRILLE_SOURCE_DIR']
OPT = re.compile(r'(?<![\w-])(--[a-z][a-z-]*[a-z]|-[a-zA-Z])(?![\w-])')


def options(text):
    return set(OPT.findall(text)) - {'-h', '--help'}


def man_sections():
    raw = open(os.path.join(S, 'docs', 'grille.1'), encoding='utf-8').read()
    raw = raw.replace('\\-', '-')
    raw = re.sub(r'\\f[BIRP]', '', raw)
    sections = {}
    current = None
    for line in raw.split('\n'):
        m = re.match(r'\.SS "grille ([a-z]+)', line)
        if m:
            current = m.group(1)
            sections.setdefault(current, '')
        elif line.startswith('.SH') or line.startswith('.SS'):
            current = None
        if current:
            sections[current] += line + '\n'
    return sections


def main():
    top = subprocess.run([G, '--help'], capture_output=True, text=True,
                         check=True).stdout
    commands = re.findall(r'^  ([a-z]+) ', top, re.M)
    sections = man_sections()
    n = 0
    failed = 0

    def report(ok, name, why=''):
        nonlocal n, failed
        n += 1
        if ok:
            print('ok %d - %s' % (n, name))
        else:
            failed += 1
            print('not ok %d - %s: %s' % (n, name, why))

    report(len(commands) >= 10, 'grille --help lists the commands',
           'only %r' % commands)
    for cmd in commands:
        help_text = subprocess.run([G, cmd, '--help'], capture_output=True,
                                   text=True).stdout
        if cmd not in sections:
            report(False, 'man page has a section for %s' % cmd, 'none')
            continue
        want = options(help_text)
        got = options(sections[cmd])
        report(want <= got, '%s: every option is in the man page' % cmd,
               'missing %s' % sorted(want - got))
        report(got <= want, '%s: the man page invents no option' % cmd,
               'not accepted: %s' % sorted(got - want))
    # groff renders the page without a warning (an escape it does not
    # know prints as text: \(u2026 came out as "026")
    if shutil.which('groff'):
        r = subprocess.run(['groff', '-man', '-Tutf8', '-ww',
                            os.path.join(S, 'docs', 'grille.1')],
                           capture_output=True, text=True)
        report(r.returncode == 0 and not r.stderr.strip(),
               'groff renders the page without a warning', r.stderr[:300])
    else:
        n += 1
        print('ok %d - groff renders the page # SKIP no groff' % n)
    extra = set(sections) - set(commands)
    report(not extra, 'no section for a command that does not exist',
           sorted(extra))
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
