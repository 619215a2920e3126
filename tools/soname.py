#!/usr/bin/env python3
"""Prints the SONAME of a library the compiler links as -lNAME.

Usage: soname.py NAME LIBDIR CC [CC ARGS...]

libgrille loads libxml2 and libzip with dlopen (lib/lazy.c), by the name
the linker would have recorded: the SONAME of the library in LIBDIR (the
folder pkg-config gives; may be empty), else of the one the compiler
finds, read with readelf.
"""
import os
import re
import subprocess
import sys


def main():
    name, libdir, cc = sys.argv[1], sys.argv[2], sys.argv[3:]
    path = os.path.join(libdir, 'lib%s.so' % name) if libdir else ''
    if not os.path.exists(path):
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
