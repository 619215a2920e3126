#!/bin/bash
# symbols.sh - libgrille exports exactly its public API: every function
# declared GRILLE_API in grille.h, and nothing else (no grille__ internal,
# no symbol of the libraries it links in).
set -u
. "$(dirname "$0")/tap.sh"
LIB=${1:?path to libgrille.so}
HDR=${GRILLE_SOURCE_DIR:?}/lib/grille.h
nm -D --defined-only "$LIB" | awk '$2 ~ /^[TDBR]$/ {sub(/@.*/, "", $3); print $3}' | sort >"$tmp/exported"
tr '\n' ' ' <"$HDR" | grep -oE 'GRILLE_API [^;{(]*\(' |
    grep -oE '[a-z_0-9]+ *\($' | tr -d ' (' | grep -v '^__' | sort >"$tmp/declared"
ok "something is exported" test -s "$tmp/exported"
ok "every exported symbol is grille_*" sh -c "! grep -v '^grille_' '$tmp/exported'"
ok "no internal grille__ symbol is exported" sh -c "! grep '^grille__' '$tmp/exported'"
ok "every declared function is exported" diff "$tmp/declared" "$tmp/exported"
done_testing
