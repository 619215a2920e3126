#!/bin/bash
# eval.sh - `grille eval` on a small gold whose scores were worked out by
# hand (tests/gold/small), plus the gold's error messages.
#
# By hand, from small.tsv and small.yaml:
#   sante   : TP a4 a5 (child mental) a9, FP b2 (santé financière),
#             FN b3 (gestes barrières), TN a7 a8 b1 -> 3 1 1 3
#             P = 3/4, R = 3/4, F1 = 3/4, Po = 6/8,
#             Pe = (4*4 + 4*4)/64 = 1/2, kappa = (3/4 - 1/2)/(1/2) = 1/2
#   reprise : TP a7, FN b1 (déconfinement is not a term), a8 masked (TN),
#             a9 '?' ignored, TN a4 a5 a8 b2 b3 -> 1 0 1 5
#             P = 1, R = 1/2, F1 = 2/3, Po = 6/7,
#             Pe = (1*2 + 6*5)/49 = 32/49, kappa = (10/49)/(17/49) = 10/17
#   micro   : 4 1 2 8: P = 4/5, R = 2/3, F1 = 8/11, Po = 12/15,
#             Pe = (5*6 + 10*9)/225 = 8/15, kappa = (4/15)/(7/15) = 4/7
#   macro   : P = 7/8, R = 5/8, F1 = (3/4 + 2/3)/2 = 17/24,
#             kappa = (1/2 + 10/17)/2 = 37/68
set -u
. "$(dirname "$0")/tap.sh"
G=${GRILLE:?}
S=${GRILLE_SOURCE_DIR:?}
D=$S/tests/gold/small

check_json() {
    python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {
    'sante': (3, 1, 1, 3, 3/4, 3/4, 3/4, 1/2),
    'reprise': (1, 0, 1, 5, 1, 1/2, 2/3, 10/17),
}
keys = ('tp', 'fp', 'fn', 'tn', 'precision', 'recall', 'f1', 'kappa')
got = {c['code']: tuple(c[k] for k in keys) for c in d['codes']}
assert set(got) == set(want), got
for code, w in want.items():
    for k, a, b in zip(keys, w, got[code]):
        assert abs(a - b) < 1e-6, (code, k, a, b)
m = d['micro']
for k, a in zip(keys, (4, 1, 2, 8, 4/5, 2/3, 8/11, 4/7)):
    assert abs(m[k] - a) < 1e-6, ('micro', k, m[k], a)
M = d['macro']
for k, a in zip(keys[4:], (7/8, 5/8, 17/24, 37/68)):
    assert abs(M[k] - a) < 1e-6, ('macro', k, M[k], a)
# the codebook scored, exactly
import hashlib, os
cb = d['codebook']
path = os.path.join(os.path.dirname(sys.argv[1]), 'cbpath')
src = open(path).read().strip()
assert cb['source'] == src, cb
assert cb['sha256'] == hashlib.sha256(open(src, 'rb').read()).hexdigest(), cb
PY
}

run_json() {
    echo "$D/small.yaml" >"$tmp/cbpath"
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml" -f json "$@" >"$tmp/out"
}
ok "hand-computed scores (json)" sh -c "$(declare -f run_json check_json); G=$G D=$D tmp=$tmp; run_json && check_json"
expect "the text names the codebook's file and sha256" 0 \
    "codebook .* \(.*small\.yaml, sha256 [0-9a-f]{12}\)" \
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml"
expect "text table" 0 "^sante +3 +1 +1 +3 +0\.750 +0\.750 +0\.750 +0\.500" \
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml"
expect "text micro row" 0 "^micro +4 +1 +2 +8 +0\.800 +0\.667 +0\.727 +0\.571" \
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml"
expect "csv macro row" 0 "^macro,,,,,0\.8750,0\.6250,0\.7083,0\.5441" \
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml" -f csv
expect "errors show the false positive and its words" 0 \
    "FP note-b\.txt:2  Santé financière fragile\.  <- «Santé»" \
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml" --show-errors
expect "errors show the false negatives" 0 "FN note-b\.txt:1  Le déconfinement" \
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml" --show-errors
# one exact value, one figure: a kappa of exactly 1/16 reached from two
# tables (1 1 4 6 and 1 1 5 8), and an F1 of 7/16 beside a precision of
# 7/16 (4 4 5 ...), each computed from the counts in one division
mkdir "$tmp/k"
printf 'name: T\nthemes:\n  alpha: {label: A, terms: [pomme]}\n' >"$tmp/k/cb.yaml"
python3 - "$tmp/k" <<'PY'
import os, sys
d = sys.argv[1]
for name, coded, gold in (('a', 2, [1, 0, 1, 1, 1, 1] + [0] * 6),
                          ('b', 2, [1, 0] + [1] * 5 + [0] * 8)):
    with open(os.path.join(d, name + '.md'), 'w') as f:
        f.write(''.join('pomme\n' if i < coded else 'rien\n'
                        for i in range(len(gold))))
    with open(os.path.join(d, name + '.tsv'), 'w') as f:
        f.write('file\tline\talpha\n')
        for i, g in enumerate(gold):
            f.write('%s.md\t%d\t%d\n' % (name, i + 1, g))
PY
expect "a kappa of 1/16 from 1 1 4 6" 0 "^alpha +1 +1 +4 +6 .* 0\.062$" \
    "$G" eval -g "$tmp/k/a.tsv" -c "$tmp/k/cb.yaml"
expect "...and from 1 1 5 8, the same figure" 0 "^alpha +1 +1 +5 +8 .* 0\.062$" \
    "$G" eval -g "$tmp/k/b.tsv" -c "$tmp/k/cb.yaml"
mkdir "$tmp/g"
cp "$D/small.tsv" "$tmp/g/"
expect "--root finds the notes elsewhere" 0 "^reprise +1 +0 +1 +5" \
    "$G" eval -g "$tmp/g/small.tsv" --root "$D" -c "$D/small.yaml"
expect "without --root the notes are next to the gold" 1 "g/note-a\.md: No such file" \
    "$G" eval -g "$tmp/g/small.tsv" -c "$D/small.yaml"
expect "a note that cannot be read is located in the gold, --root named" 1 \
    "small\.tsv:2:1: the note 'note-a\.md' it names is not there .*--root DIR" \
    "$G" eval -g "$tmp/g/small.tsv" -c "$D/small.yaml"
printf 'file\tline\tsante\nnote-a.md\t4\t1\nnote-b.txt\t1\t0\nnote-a.md\t4\t0\n' > "$tmp/g/twice.tsv"
expect "a line of a note given twice is refused" 1 \
    "twice\.tsv:4:1: line 4 of 'note-a\.md' is given twice \(first on line 2\)" \
    "$G" eval -g "$tmp/g/twice.tsv" --root "$D" -c "$D/small.yaml"
printf 'file\tline\tsante\nnote-a.md\t4\t1\n./note-a.md\t4\t0\n' > "$tmp/g/dot.tsv"
expect "./note.md is note.md: the same line twice" 1 \
    "dot\.tsv:3:1: line 4 of 'note-a\.md' is given twice" \
    "$G" eval -g "$tmp/g/dot.tsv" --root "$D" -c "$D/small.yaml"
printf 'file\tline\tsante\nnote-a.md\t4\t1\n%s/note-a.md\t4\t0\n../g/../../%s/note-a.md\t5\t0\n' "$D" "$(basename "$D")" > "$tmp/g/paths.tsv"
expect "a line of one note by two paths (absolute, relative) is given twice" 1 \
    "paths\.tsv:3:1: line 4 of 'note-a\.md' is given twice \(first on line 2\)" \
    "$G" eval -g "$tmp/g/paths.tsv" --root "$D" -c "$D/small.yaml"
printf 'file\tline\tsante\nnote-a.md\t4\t1\t0\n' > "$tmp/g/more.tsv"
expect "a row with more cells than the header's codes is refused" 1 \
    "more\.tsv:2:1: wrong number of fields" \
    "$G" eval -g "$tmp/g/more.tsv" --root "$D" -c "$D/small.yaml"
python3 -c "
import sys
n = 1100
sys.stdout.write('file\tline\t' + '\t'.join(['sante'] + ['c%d' % i for i in range(n)]) + '\n')
sys.stdout.write('note-a.md\t4\t1' + '\t0' * (n - 1) + '\tx\n')" > "$tmp/g/wide.tsv"
expect "a gold of 1,101 codes is read whole: its 1,101st cell is checked" 1 \
    "wide\.tsv:2:[0-9]+: a cell must be 1, 0 or \?, not 'x'" \
    "$G" eval -g "$tmp/g/wide.tsv" --root "$D" -c "$D/small.yaml"
printf 'file\tline\tsante\tsante\nnote-a.md\t4\t1\t1\n' > "$tmp/g/codes.tsv"
expect "a code given twice in the header is refused" 1 \
    "codes\.tsv:1:1: a code given twice in the header: 'sante'" \
    "$G" eval -g "$tmp/g/codes.tsv" --root "$D" -c "$D/small.yaml"
printf 'file\tline\tsante\nnote-a.md\t4\toui\n' > "$tmp/g/bad.tsv"
expect "a bad cell is located" 1 "bad\.tsv:2:13: a cell must be 1, 0 or \?, not 'oui'" \
    "$G" eval -g "$tmp/g/bad.tsv" --root "$D" -c "$D/small.yaml"
printf 'fichier\tligne\nx\t1\n' > "$tmp/g/head.tsv"
expect "a bad header is located" 1 "head\.tsv:1:1: the header must be" \
    "$G" eval -g "$tmp/g/head.tsv" -c "$D/small.yaml"
printf 'file\tline\tinconnu\nnote-a.md\t4\t1\n' > "$tmp/g/code.tsv"
expect "a code missing from the codebook" 1 "code 'inconnu' of the gold is not in the codebook .* \(renamed or moved\? write its id in the gold's header" \
    "$G" eval -g "$tmp/g/code.tsv" --root "$D" -c "$D/small.yaml"
printf 'file\tline\tsnte\nnote-a.md\t4\t1\n' > "$tmp/g/typo.tsv"
expect "a code of the gold mistyped: the codebook's nearest is said" 1 "code 'snte' of the gold is not in the codebook .*: did you mean 'sante'\?" \
    "$G" eval -g "$tmp/g/typo.tsv" --root "$D" -c "$D/small.yaml"
printf 'file\tline\tsante\nnote-b.txt\t40\t1\n' > "$tmp/g/past.tsv"
expect "a line past the end" 1 "past\.tsv:2:1: line 40 is past the end" \
    "$G" eval -g "$tmp/g/past.tsv" --root "$D" -c "$D/small.yaml"
mkdir -p "$tmp/fm"
printf -- '---\ntype: commune\n---\nLe t\303\251l\303\251travail.\n' > "$tmp/fm/c.md"
printf 'file\tline\tsante\nc.md\t2\t1\n' > "$tmp/fm/fm.tsv"
expect "a line in a note's front matter is refused, not a miss" 1 \
    "fm\.tsv:2:1: line 2 of c\.md is in its front matter \(lines 1 to 3\), which is not coded" \
    "$G" eval -g "$tmp/fm/fm.tsv" -c "$D/small.yaml"
printf 'Le maire.\n\nLa sant\303\251.\n' > "$tmp/fm/b.md"
printf 'file\tline\tsante\nb.md\t2\t1\n' > "$tmp/fm/blank.tsv"
expect "a code on a blank line is refused, not a miss" 1 \
    "blank\.tsv:2:1: line 2 of b\.md is blank, which no code can be found on: its 'sante' would count as a miss" \
    "$G" eval -g "$tmp/fm/blank.tsv" -c "$D/small.yaml"
printf 'file\tline\tsante\nb.md\t2\t0\nb.md\t3\t1\n' > "$tmp/fm/blank0.tsv"
expect "a blank line with no code is counted, as before" 0 "^sante +1 +0 +0 +1 " \
    "$G" eval -g "$tmp/fm/blank0.tsv" -c "$D/small.yaml"
printf 'file\tline\tsante \n c.md \t4\t 0\n   \n' > "$tmp/fm/sp.tsv"
expect "spaces around cells and a line of spaces are no error" 0 \
    "^sante +0 +0 +0 +1 " \
    "$G" eval -g "$tmp/fm/sp.tsv" -c "$D/small.yaml"
expect "eval needs --gold" 2 "give the gold standard with --gold" "$G" eval
expect "the corpus gold runs with the bundled codebook" 0 "^teletravail +[0-9]+" \
    "$G" eval -g "$S/tests/gold/corpus.tsv"
"$G" eval -g "$S/tests/gold/corpus.tsv" -f json >"$tmp/corpus.json" 2>/dev/null
ok "the bundled codebook keeps F1 >= 0.85 on the mandated themes" \
    python3 -c "
import json, sys
d = json.load(open('$tmp/corpus.json'))
f1 = {c['code']: c['f1'] for c in d['codes']}
low = {k: v for k, v in f1.items()
       if k in ('teletravail', 'sante', 'reprise', 'elus', 'accueil') and v < 0.85}
assert len(f1) >= 5 and not low, low
"
# a code that no line has, by hand or by the codebook: no score, out of the
# macro average.  sante on a4 a5 b2 b3: TP TP FP FN -> P = R = F1 = 2/3,
# Po = 2/4, Pe = (3*3 + 1*1)/16, kappa = -1/3; reprise: 0 0 0 4.
printf 'file\tline\tsante\treprise\nnote-a.md\t4\t1\t0\nnote-a.md\t5\t1\t0\nnote-b.txt\t2\t0\t0\nnote-b.txt\t3\t1\t0\n' > "$tmp/g/none.tsv"
expect "a code with nothing to find nor found has no score" 0 \
    "^reprise +0 +0 +0 +4 +- +- +- +-$" \
    "$G" eval -g "$tmp/g/none.tsv" --root "$D" -c "$D/small.yaml"
expect "nor do its true negatives count in the micro average" 0 \
    "^micro +2 +1 +1 +0 +0\.667 +0\.667 +0\.667 +-0\.333$" \
    "$G" eval -g "$tmp/g/none.tsv" --root "$D" -c "$D/small.yaml"
expect "and the text says the averages leave it out" 0 \
    "averages are over the 1 other code\.$" \
    "$G" eval -g "$tmp/g/none.tsv" --root "$D" -c "$D/small.yaml"
expect "csv: empty scores, the macro average of the other code" 0 \
    " reprise,0,0,0,4,,,, .*macro,,,,,0\.6667,0\.6667,0\.6667,-0\.3333" \
    sh -c "'$G' eval -g '$tmp/g/none.tsv' --root '$D' -c '$D/small.yaml' -f csv 2>/dev/null | tr -d '\r' | tr '\n' ' '"
expect "json: null scores, and a warning" 0 \
    "warning: code 'reprise': no line is coded with it.*\"code\": \"reprise\", \"tp\": 0, \"fp\": 0, \"fn\": 0, \"tn\": 4, \"precision\": null.*\"macro\": \{\"codes\": 1, \"precision\": 0\.666667" \
    sh -c "'$G' eval -g '$tmp/g/none.tsv' --root '$D' -c '$D/small.yaml' -f json 2>&1 | tr '\n' ' '"
printf 'file\tline\tsante\n' > "$tmp/g/header.tsv"
expect "a gold with its header only is refused" 1 \
    "header\.tsv:1:1: no line to score" \
    "$G" eval -g "$tmp/g/header.tsv" --root "$D" -c "$D/small.yaml"
expect "--show-errors with csv is a usage error" 2 \
    "--show-errors goes with the text or json format" \
    "$G" eval -g "$D/small.tsv" -c "$D/small.yaml" -f csv --show-errors
printf 'file\tline\tsante\nnote-b.txt\t4\t1\n' > "$tmp/g/phantom.tsv"
expect "the end of a note's last line starts no line of its own" 1 \
    "phantom\.tsv:2:1: line 4 is past the end of .*note-b\.txt \(3 lines" \
    "$G" eval -g "$tmp/g/phantom.tsv" --root "$D" -c "$D/small.yaml"
done_testing
