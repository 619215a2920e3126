#!/usr/bin/env python3
"""Prints the SONAME of a library the compiler links as -lNAME.

Usage: soname.py NAME CC [CC ARGS...]

libgrille loads libxml2 and libzip with dlopen (lib/lazy.c), by the name
the linker would have recorded: the SONAME of the library the compiler
finds, read with readelf.
"""
import re
import subprocess
import sys


def main():
    name, cc = sys.argv[1], sys.argv[2:]
    path = subprocess.run(cc + ['-print-file-name=lib%s.so' % name],
                          capture_output=True, text=True,
                          check=True).stdout.strip()
    out = subprocess.run(['readelf', '-d', path], capture_output=True,
                         text=True)
    m = re.search(r'\(SONAME\).*\[(.+)\]', out.stdout)
    if out.returncode != 0 or not m:
        sys.exit('soname.py: no SONAME for lib%s.so (%s)' % (name, path))
    print(m.group(1))


if __name__ == '__main__':
    main()
