#!/bin/bash
# cli.sh - end-to-end checks of the grille program's interface: help and
# usage errors, exit statuses, error messages with file and location, the
# output formats of tag, and prompt failure on a catastrophic regex.
set -u
. "$(dirname "$0")/tap.sh"
G=${GRILLE:?set GRILLE to the grille binary}
S=${GRILLE_SOURCE_DIR:?}
cd "$tmp"

# help and usage
ok "grille --help lists the commands" sh -c "$G --help | grep -q '^  tag '"
ok "grille --version" sh -c "$G --version | grep -Eq '^grille [0-9]+\.[0-9]+'"
for c in tag tokens codebook; do
    ok "grille $c --help" sh -c "$G $c --help | grep -q 'Usage: grille $c'"
    ok "grille help $c" sh -c "$G help $c | grep -q 'Usage: grille $c'"
done
expect "unknown command is a usage error, the nearest named" 2 "unknown command 'tagg': did you mean 'tag'\?" $G tagg
expect "an unknown command near none is said alone" 2 "unknown command 'xyzzy'$" $G xyzzy
expect "an option before the command says the command comes first" 2 \
    "^grille: unknown option '-d': the command comes first" $G -d p.db report
expect "--version with an argument is a usage error" 2 \
    "^grille: --version takes no argument \('x'\)" $G --version x
expect "an empty -d is a usage error, not ./grille.db" 2 \
    "^grille: -d names no project \(an empty name\)" $G list -d ""
for c in report cooc compare "quotes x" "kwic x" "import x.qdc"; do
    expect "$c -o '': a usage error, and no file left behind" 2 \
        "^grille: -o names no file \(an empty name\)" $G $c -o ""
done
ok "...no temporary file left" sh -c "! ls -a | grep -q '^\.tmp-'"
expect "import -d with a .qdc is a usage error" 2 "-d goes with a \.qdpx" \
    $G import -d x.db grid.qdc
expect "help of an unknown command is a usage error" 2 \
    "unknown command 'nope'" $G help nope
expect "no command is a usage error" 2 "Usage: grille" $G
expect "tag without a file" 2 "no file to tag" $G tag
expect "tag with a bad option" 2 "Try 'grille tag --help'" $G tag --nope x
expect "an unknown option starts as every error does" 2 \
    "^grille: tag: unrecognized option '--nope'" $G tag --nope x
expect "an option without its value too" 2 \
    "^grille: report: option '--codes' requires an argument" $G report --codes
expect "tag with a bad format" 2 "unknown format 'xml'" $G tag -f xml x
expect "tag with a bad unit" 2 "unknown unit 'page'" $G tag -u page x
expect "codebook without action" 2 "check or show" $G codebook
expect "codebook check FILE -d DB: options after the file are read" 2 \
    "^grille: give a FILE or a project \(-d\), not both" \
    $G codebook check x.yaml -d x.db
expect "codebook -d DB before the verb is read" 1 \
    "^grille: nope\.db: no project here" $G codebook -d nope.db show
expect "codebook check with an unknown option after the verb" 2 \
    "^grille: codebook: unrecognized option '--nope'" $G codebook check --nope

# files that cannot be read
expect "tag - with standard input closed: said, not read as empty" 1 \
    "^grille: <stdin>: Bad file descriptor" sh -c "$G tag - <&-"
expect "missing file" 1 "^grille: nope\.md: No such file or directory" \
    $G tag nope.md
mkdir dir
expect "tag of a folder without notes says so" 0 \
    "^grille: warning: dir: no \.txt or \.md file in this folder" sh -c "$G tag dir 2>&1"
expect "tokens takes a file, not a folder" 1 "^grille: dir: is a folder" $G tokens dir
printf 'ab\0cd' > bin.txt
expect "NUL bytes are refused" 1 "bin\.txt: NUL byte at byte 2" $G tag bin.txt
printf 'L\0e\0 \0m\0a\0i\0r\0e\0 \0e\0t\0 \0l\0e\0s\0' > u16.txt
expect "UTF-16 without its mark: said so" 1 \
    "u16\.txt: NUL byte at byte 1: this looks like UTF-16 without its byte order mark" \
    $G tag u16.txt
head -c 100 /dev/zero > zeros.txt
expect "a run of NULs is binary, not UTF-16" 1 "zeros\.txt: NUL byte at byte 0: refusing a binary file" \
    $G tag zeros.txt
printf 'L\0\0\0e\0\0\0 \0\0\0m\0\0\0a\0\0\0i\0\0\0' > u32.txt
expect "UTF-32 is not taken for UTF-16" 1 "u32\.txt: NUL byte at byte 1: refusing a binary file" \
    $G tag u32.txt
printf 'abc \201 def\n' > a81.txt
expect "a byte neither UTF-8 nor Windows-1252 is named once" 1 \
    "a81\.txt:1:5: invalid UTF-8 at byte 4 \(0x81\), which is no character in Windows-1252 either" \
    $G tag a81.txt
printf 'caf\351 \201 ici\n' > undef1252.txt
expect "neither UTF-8 nor Windows-1252: the byte that is neither is named" 1 \
    "undef1252\.txt:1:4: invalid UTF-8 at byte 3 \(0xE9\), and not Windows-1252 either: byte 5 \(0x81\)" \
    $G tag undef1252.txt
printf 'le maire \xc3\xa9lu, puis \xff ici\n' > broken.txt
expect "invalid UTF-8 names the line, column and offset" 1 \
    "broken\.txt:1:20: invalid UTF-8 at byte 20 \\(0xFF\\)" \
    $G tag broken.txt
printf '\303\251\r\n\303\240\rb\377\n' > lonecr.txt
expect "a lone CR ends a line in the location too" 1 \
    "lonecr\.txt:3:2: invalid UTF-8 at byte 8 \\(0xFF\\)" \
    $G tag lonecr.txt
expect "tag - -: standard input is read once" 2 \
    "^grille: '-' \\(standard input\\) given twice" sh -c "echo santé | $G tag - -"
printf -- '---\nRôle: DGS\nCollectivité: Ville\nStrate: " +100k "\n---\nLa santé.\n' > keys.md
ok "tag -f json: attribute keys and values as a project stores them" sh -c "
    $G tag -f json keys.md | python3 -c '
import json, sys
a = json.load(sys.stdin)[\"document\"][\"attributes\"]
sys.exit(a != {\"role\": \"DGS\", \"collectivite\": \"Ville\", \"Strate\": \"+100k\"})'"
# as they are when nothing needs cleaning (escaped '"' and '\', letters
# of one and of two bytes, a null), cleaned when something does (a space
# at the end, a capital in a report's key, a letter of three bytes, a tab)
cat > plainattrs.md <<'EOF'
---
type: commune
e-mail.2: a@b.fr
titre: le "plan" \ B
region: Auvergne-Rhône-Alpes
fin: café
accueil: l’accueil
Ville: 'Besançon '
Rôle: DGS
chemin: dossiers\partages\notes de juin
onglet: "avec\ttabulation"
vide: ~
---
La santé.
EOF
cat > plainattrs.want <<'EOF'
"attributes": {"type": "commune", "e-mail.2": "a@b.fr", "titre": "le \"plan\" \\ B", "region": "Auvergne-Rhône-Alpes", "fin": "café", "accueil": "l’accueil", "Ville": "Besançon", "role": "DGS", "chemin": "dossiers\\partages\\notes de juin", "onglet": "avec\ttabulation", "vide": ""}}, "codebook"
EOF
ok "tag -f json: attributes as a project stores them, byte for byte" sh -c \
    "$G tag -f json plainattrs.md | grep -qFf plainattrs.want"
printf -- '---\ntype: commune\nsuite\n' > open.md
expect "unterminated front matter" 1 "open\.md:1:1: front matter .* never closed" \
    $G tag open.md
printf -- '---\ntype: [commune\n---\ntexte\n' > badfm.md
expect "front matter that is not YAML" 1 "badfm\.md:[0-9]+:[0-9]+: YAML" \
    $G tag badfm.md
printf 'Le t\xe9l\xe9travail\n' > latin.txt
expect "Windows-1252 is converted with a warning" 0 \
    "warning: latin\.txt: converted from Windows-1252" $G tag latin.txt
printf 'la r\x8eouverture des \x8ecoles, l\xd5\x8equipe en t\x8el\x8etravail\n' > mac.txt
expect "Mac OS Roman is converted with a warning (it was read as Windows-1252)" 0 \
    "warning: mac\.txt: converted from Mac OS Roman" $G tag mac.txt
expect "...and its French letters are read right, and coded" 0 \
    "la réouverture des écoles, l’équipe en télétravail.*reprise.*teletravail" \
    sh -c "$G tag -f json mac.txt 2>/dev/null"
$G init -d latin.db > /dev/null
$G add -d latin.db latin.txt > /dev/null 2>&1
ok "add of a converted note already there: its conversion is not said again" \
    sh -c "$G add -d latin.db latin.txt 2>&1 | grep -c converted | grep -qx 0"
expect "one bad file does not stop the others" 1 "teletravail" \
    $G tag -f json nope.md latin.txt

# formats
printf 'Le télétravail et les élus.\n\n- masques, "ARS", =SUM(1)\n' > note.md
expect "json from stdin" 0 '"name": "<stdin>"' sh -c "$G tag -f json - < note.md"
ok "json parses" sh -c "$G tag -f json note.md | python3 -m json.tool"
# standard output and standard error as one file (2>&1): where a message
# falls among the documents is stdio's buffering's, 64 KiB written at a
# time (tag's JSON and CSV are written from their own buffers only to
# another file than standard error's); to two files, the same bytes
python3 -c "print('\n\n'.join(['Le télétravail des agents et les élus.'] * 900))" > long.md
for f in json csv; do
    ok "tag -f $f 2>&1: a message where stdio's 64 KiB end; apart, the same bytes" sh -c "
        $G tag -f $f long.md nope.md note.md > both.$f 2>&1
        $G tag -f $f long.md nope.md note.md > out.$f 2> err.txt
        python3 -c '
import sys
both, out = open(\"both.$f\", \"rb\").read(), open(\"out.$f\", \"rb\").read()
msg = open(\"err.txt\", \"rb\").read()
at = both.find(msg)
sys.exit(not (msg.startswith(b\"grille: nope.md\") and at > 0 and
              at % 65536 == 0 and len(out) > at and
              both[:at] + both[at + len(msg):] == out))'"
done
expect "csv header" 0 "^document,segment,line,code,start,end,term,rule" \
    $G tag -f csv note.md
expect "csv row" 0 '^note\.md,0,1,teletravail,3,16,télétravail,télétravail' \
    $G tag -f csv note.md
expect "text shows the line and the terms" 0 "^l\.3 .*masques" $G tag note.md
expect "text has the summary" 0 "^teletravail +1 +1" $G tag note.md
expect "no colour when piped" 0 "^l\.1 +Le télétravail" $G tag note.md
expect "colour on demand" 0 $'\033\\[1;33mtélétravail' $G tag --color=always note.md
# the words highlighted, the text the same as without colour: spaces and
# line breaks before and after a match folded as everywhere else
ok "colour changes nothing but the highlighting, on the corpus" sh -c "
    esc=\$(printf '\\033')
    for f in '$S'/corpus/*; do
        $G tag --color=always \"\$f\" > raw.txt 2>&1
        grep -q \"\$esc\\[1;33m\" raw.txt || exit 1
        sed 's/\x1b\[[0-9;]*m//g' raw.txt > col.txt
        $G tag --color=never \"\$f\" > plain.txt 2>&1
        cmp col.txt plain.txt || exit 1
    done"
expect "tokens shows keys and stems" 0 "key=teletravail stem=teletravail" \
    $G tokens note.md
ok "tokens json parses" sh -c "$G tokens -f json note.md | python3 -m json.tool"

# codebooks
expect "bundled codebook checks" 0 "ok \(1[0-9] themes" $G codebook check
expect "codebook show lists the themes" 0 "^teletravail +Télétravail" \
    $G codebook show
cat > bad.yaml <<'YAML'
themes:
  sante:
    label: Santé
    termz: [santé]
YAML
printf 'name: Essai\nthemse:\n  sante:\n    terms: [santé]\n' > misspelt.yaml
expect "a misspelt 'themes' is named, not read as a dictionary" 1 \
    "^grille: misspelt\.yaml:2:1: unknown key 'themse' at the top" \
    $G codebook check misspelt.yaml
# skip_speakers: the interviewer's turns of a real transcript are not coded
(printf 'skip_speakers: [Q]\n'; cat "$S/codebooks/riposte.yaml") > skipq.yaml
q03="$S/corpus/03-gironde-sante-publique.txt"
ok "a question of the interviewer is coded by default" sh -c \
    "$G tag -f json --coded-only '$q03' | grep -q 'Sur le volet sanitaire'"
ok "skip_speakers: Q leaves the questions uncoded" sh -c \
    "! $G tag -c skipq.yaml -f json --coded-only '$q03' | grep -q 'Sur le volet sanitaire'"
ok "skip_speakers: the answers are still coded" sh -c \
    "$G tag -c skipq.yaml -f json --coded-only '$q03' | grep -q 'Les masques. Les aides'"
expect "codebook check names the skipped speakers" 0 \
    "^turns not coded \(skip_speakers\): Q$" $G codebook check skipq.yaml
python3 -c "print('skip_speakers: [%s]\nthemes:\n  t: {terms: [x]}' % ', '.join('\"Mme Nom%d\"' % i for i in range(25)))" > skipmany.yaml
expect "codebook check names the first twenty skip_speakers, then a count" 0 \
    "^turns not coded \(skip_speakers\): Mme Nom0, .*, Mme Nom19 and 5 more$" \
    $G codebook check skipmany.yaml
$G init -d skip.db -c skipq.yaml >/dev/null && $G add -d skip.db "$q03" >/dev/null
ok "a project with skip_speakers stores no coding of the questions" sh -c \
    "! $G quotes -d skip.db sante -n 100 | grep -q 'Sur le volet sanitaire'"
ok "...and the answers' codings" sh -c \
    "$G quotes -d skip.db sante -n 100 | grep -q 'aides à domicile'"
ok "recode with the bundled codebook codes the questions again" sh -c \
    "$G recode -d skip.db -c '$S/codebooks/riposte.yaml' >/dev/null && $G quotes -d skip.db sante -n 100 | grep -q 'Sur le volet sanitaire'"
# a phrase coded across a line end is one top term, shown with one space
printf 'themes:\n  sante:\n    terms: [gel hydroalcoolique, masques]\n' > gel.yaml
printf 'Du gel hydroalcoolique, encore du gel\nhydroalcoolique et du gel\n  hydroalcoolique.\n' > gel.md
$G init -d gel.db -c gel.yaml >/dev/null && $G add -d gel.db gel.md >/dev/null
expect "a phrase across a line end: one top term" 0 \
    ',gel hydroalcoolique 3[^,0-9]*$' $G report -d gel.db -f csv
# export: without -f, the extension of -o names the format
ok "export -o x.qdpx needs no -f" sh -c \
    "$G export -d gel.db -o ext.qdpx && python3 -c 'import zipfile,sys; sys.exit(\"project.qde\" not in zipfile.ZipFile(\"ext.qdpx\").namelist())'"
expect "export -o x.txt still asks which" 2 "which format\?" $G export -d gel.db -o ext.txt
# without -f, the extension of -o chooses the format
expect "report -o x.html writes HTML" 0 "^<!DOCTYPE html>" sh -c \
    "$G report -d gel.db -o ext.html && head -1 ext.html"
expect "kwic -o x.csv writes CSV" 0 "^document,line,left,match,right" sh -c \
    "$G kwic -d gel.db gel -o ext.csv && head -1 ext.csv"
expect "report -o x.markdown writes Markdown" 0 "^# " sh -c \
    "$G report -d gel.db -o ext.markdown && head -1 ext.markdown"
expect "report -o x.pdf: text, with a warning that names the extension" 0 \
    "^grille: warning: ext\.pdf: '\.pdf' is no format this command writes: writing text \(-f chooses one\)" \
    sh -c "$G report -d gel.db -o ext.pdf 2>&1 && head -1 ext.pdf | grep -q '^Theme report'"
ok "report -o a name without an extension: text, no warning" \
    sh -c "test -z \"\$($G report -d gel.db -o rapport 2>&1)\" && head -1 rapport | grep -q '^Theme report'"
expect "-f wins over the extension" 0 "^Theme report" sh -c \
    "$G report -d gel.db -f text -o ext2.html && head -1 ext2.html"
# recode without -c codes with the project's copy: a codebook file edited
# since is said to differ, with the way to use it; unedited, nothing said
printf 'themes:\n  sante: [masques]\n' > edited.yaml
$G init -d edited.db -c edited.yaml >/dev/null
printf 'Des masques et du gel.\n' > edited.md
$G add -d edited.db edited.md >/dev/null
expect "recode, the codebook file as the project has it: no warning" 0 \
    "^recoded edited\.db" sh -c "$G recode -d edited.db 2>&1"
printf 'themes:\n  sante: [masques, gel]\n' > edited.yaml
expect "recode, the codebook file edited since: said, with recode -c" 0 \
    "^grille: warning: edited\.yaml here is not the project's codebook, which was read from a file of that name \(edited since\?\): .*grille recode -c edited\.yaml" \
    $G recode -d edited.db
expect "recode keeps the name of a codebook without one (its file's)" 0 \
    "^recoded edited\.db with 'edited\.yaml':" sh -c "$G recode -d edited.db 2>/dev/null"
# a segment with many codings: each code listed once, its quotes in the
# segment's order (chained when more than 8), as with a few
printf 'themes:\n  a: [santé]\n  b: [masques]\n  c: [gel]\n' > abc.yaml
echo "santé masques santé gel masques santé masques gel santé masques" > m10.md
expect "tag: ten codings of three codes, each code once, quotes in order" 0 \
    "^       a: «santé» «santé» «santé» «santé»
       b: «masques» «masques» «masques» «masques»
       c: «gel» «gel»\$" sh -c "$G tag -c abc.yaml m10.md | sed -n 4,6p"
# a term that 3,000 themes list: each theme once (a quadratic listing took
# seconds on such a segment)
python3 -c "
print('themes:')
for i in range(3000): print('  t%d: [santé]' % i)" > many.yaml
echo "La santé d'abord." > s.md
ok "tag: a term 3,000 themes list, every theme once in the text" sh -c \
    "test \$($G tag -c many.yaml s.md | grep -c '^       t[0-9]*: «santé»\$') = 3000"
ok "tag -f json: the same, every theme once in the segment's codes" sh -c \
    "$G tag -f json -c many.yaml s.md | python3 -c 'import json,sys; d=json.load(sys.stdin); c=d[\"segments\"][0][\"codes\"]; sys.exit(not (len(c) == len(set(c)) == 3000 and c == sorted(c, key=lambda x: int(x[1:]))))'"
# "#1" is document #1, and also the name of another document (a file
# named so): refused, where rm removed the one named so without a word
mkdir -p hash && echo "santé un" > hash/a.md && echo "santé deux" > 'hash/#1'
$G init -d hash.db >/dev/null && $G add -d hash.db hash/a.md 'hash/#1' >/dev/null
expect "rm '#1': both a number and another document's name, refused" 1 \
    "^grille: hash\.db: '#1' is both document #1 \('a\.md'\) and the name of document #2: name the first by its name, the second by the path of its file
grille: nothing was removed from hash\.db\$" $G rm -d hash.db '#1'
expect "rm by the path of the file named '#1' removes that one" 0 \
    "^removed 1 document" $G rm -d hash.db 'hash/#1'
expect "then '#1' is document #1 alone" 0 "^removed 1 document" \
    $G rm -d hash.db '#1'
# -o naming another project (a slip for -d): refused, the project intact
$G init -d other.db >/dev/null
sha=$(sha256sum other.db)
expect "report -o another project: refused" 1 \
    "^grille: other\.db is a SQLite database \(a grille project\?\): write the output to another file, or remove it first" \
    $G report -d hash.db -o other.db
ok "report -o another project: the project is as it was" \
    test "$sha" = "$(sha256sum other.db)"
# -o naming one of the project's notes (the interview a report codes):
# refused by every command that writes a report, the note intact; a
# copy of its text too; a new file beside it is written
mkdir -p onote && printf -- '---\ntype: commune\n---\nLe maire parle du télétravail.\n' > onote/n.md
$G init -d onote.db >/dev/null && $G add -d onote.db onote/n.md >/dev/null
cp onote/n.md onote-copy.md
nsha=$(sha256sum onote/n.md)
for c in report cooc "compare --by type" "quotes teletravail" "kwic maire"; do
    expect "$c -o a note of the project: refused" 1 \
        "^grille: onote/n\.md is the note of document #1 of the project \(or has its text\): write the output to another file\$" \
        $G $c -d onote.db -o onote/n.md
done
ok "-o a note: the note as it was" test "$nsha" = "$(sha256sum onote/n.md)"
expect "report -o a copy of a note's text: refused" 1 \
    "^grille: onote-copy\.md is the note of document #1" \
    $G report -d onote.db -o onote-copy.md
cd onote
expect "report -o the note by its bare name, from its folder: refused" 1 \
    "^grille: n\.md is the note of document #1" $G report -d ../onote.db -o n.md
cd "$tmp"
mkdir -p onote2 && echo old > onote2/n.md
ok "report -o a file named as a note, in another folder, other text: written" sh -c \
    "cd onote2 && $G report -d ../onote.db -o n.md && grep -q télétravail n.md"
echo old > onote/synthese.md
ok "report -o a report written before beside the notes: replaced" sh -c \
    "$G report -d onote.db -o onote/synthese.md && grep -q télétravail onote/synthese.md"
# an attribute named like a listing's column, or starting with attr.:
# one column each in list -f csv, read back as the same keys
mkdir -p rt && printf 'Le maire.\n' > rt/b.txt
$G init -d rt1.db >/dev/null && $G add -d rt1.db rt/b.txt >/dev/null
$G attr set -d rt1.db rt/b.txt name=Zed attr.name=Q attr.words=5 >/dev/null
$G list -d rt1.db -f csv > rt1.csv
expect "list -f csv: attr.KEY keys get a column of their own" 0 \
    ",attr\.attr\.name,attr\.attr\.words,attr\.name" head -1 rt1.csv
$G init -d rt2.db >/dev/null && $G add -d rt2.db rt/b.txt >/dev/null
$G attr import -d rt2.db rt1.csv >/dev/null
ok "list -f csv, then attr import: the same keys and values" sh -c \
    "$G list -d rt2.db -f csv | head -1 | grep -q ',attr\.attr\.name,attr\.attr\.words,attr\.name' && test \"\$($G list -d rt2.db -f csv | tail -1 | cut -d, -f11-)\" = \"\$(tail -1 rt1.csv | cut -d, -f11-)\""
expect "quotes --by '': a usage error, as compare's" 2 \
    "^grille: --by takes the name of an attribute" $G quotes -d rt1.db sante --by ''
expect "attr set with a key of spaces alone: a usage error that quotes it" 2 \
    "^grille: expected KEY=VALUE, not '  =x' \(the key is blank\)" \
    $G attr set -d rt1.db rt/b.txt '  =x'
# a codebook without a name, in a project in another folder: named after
# its file ("n1.db)" was the name: "edited.yaml (in sub/n1.db)" cut at /)
mkdir -p sub
expect "init: a codebook without a name is named after its file" 0 \
    "^created project sub/n1\.db \(codebook 'edited\.yaml'," \
    $G init -d sub/n1.db -c edited.yaml
expect "codebook show -d: the same name" 0 "^edited\.yaml" \
    sh -c "$G codebook show -d sub/n1.db | head -1"
# init -c and recode -c read the codebook as codebook check does: one
# in Windows-1252 or UTF-16 was converted silently as a note would be
printf 'themes:\n  a: [caf\351]\n' > latin1.yaml
printf '\377\376t\0h\0e\0m\0e\0s\0:\0\n\0' > u16.yaml
expect "init -c: a Windows-1252 codebook is refused, with its byte" 1 \
    "^grille: latin1\.yaml:2:10: invalid UTF-8 at byte 17 \(0xE9\): a codebook must be UTF-8" \
    $G init -d latin1.db -c latin1.yaml
ok "init -c: no project is left behind" test ! -e latin1.db
expect "init -c: a UTF-16 codebook is refused" 1 \
    "^grille: u16\.yaml:1:1: UTF-16 .*a codebook must be UTF-8" \
    $G init -d u16.db -c u16.yaml
expect "init -c -: a Windows-1252 codebook on standard input is refused" 1 \
    "^grille: <stdin>: Windows-1252, not UTF-8: a codebook must be UTF-8" \
    sh -c "$G init -d latin1.db -c - < latin1.yaml"
ok "init -c -: no project is left behind" test ! -e latin1.db
sha=$(sha256sum edited.db)
expect "recode -c: a Windows-1252 codebook is refused" 1 \
    "^grille: latin1\.yaml:2:10: invalid UTF-8 at byte 17" \
    $G recode -d edited.db -c latin1.yaml
ok "recode -c: the project is as it was" test "$sha" = "$(sha256sum edited.db)"
cp "$S/codebooks/riposte.yaml" copie.yaml
$G init -d copie.db -c copie.yaml >/dev/null
printf '# retouchée\n' >> copie.yaml
expect "recode: a copy of the bundled codebook, edited, is said to differ" 0 \
    "^grille: warning: copie\.yaml here is not the project's codebook" \
    $G recode -d copie.db
mkdir -p copie2 && cp "$S/codebooks/riposte.yaml" copie2/
(cd copie2 && $G init -d c.db -c riposte.yaml >/dev/null &&
    printf '# retouchée\n' >> riposte.yaml)
expect "recode: an edited copy named as the bundled codebook is said too" 0 \
    "^grille: warning: riposte\.yaml here is not the project's codebook" \
    sh -c "cd copie2 && $G recode -d c.db 2>&1"
# a codebook from standard input, '-', as a note's: named <stdin>
expect "codebook check - reads standard input" 0 "^<stdin>: ok \(15 themes" \
    sh -c "$G codebook check - < '$S/codebooks/riposte.yaml'"
expect "codebook check -: its errors name <stdin>" 1 "^grille: <stdin>:3:5: " \
    sh -c "printf 'themes:\n  a:\n    terms [x]\n' | $G codebook check -"
expect "tag -c - and a note from standard input: refused" 2 \
    "'-' \(standard input\) given twice" sh -c "echo x | $G tag -c - -"
expect "tag -c - codes with it" 0 "^ +a: «masques»" \
    sh -c "printf 'themes:\n  a:\n    terms: [masque]\n' | $G tag -c - note.md"
rm -f stdin-cb.db
sh -c "$G init -d stdin-cb.db -c - < '$S/codebooks/riposte.yaml'" > /dev/null
expect "init -c -: the project's codebook is from <stdin>" 0 "^source <stdin> " \
    $G codebook show -d stdin-cb.db
mkdir -p copie3 && (cd copie3 && $G init -d c.db >/dev/null &&
    cp "$S/codebooks/riposte.yaml" . && printf '# retouchée\n' >> riposte.yaml)
expect "recode: beside a project of the bundled codebook, not 'read from a file'" 0 \
    "^grille: warning: riposte\.yaml here is not the project's codebook, which is the bundled one's text" \
    sh -c "cd copie3 && $G recode -d c.db 2>&1"
expect "quotes: a turn's quote names its speaker" 0 "l\.26, turn of Q$" \
    $G quotes -d skip.db sante -n 100
ok "quotes -f json: the speaker of each quote" sh -c \
    "$G quotes -d skip.db sante -n 100 -f json | python3 -c 'import json,sys; s={q[\"speaker\"] for q in json.load(sys.stdin)[\"quotes\"]}; sys.exit(s != {\"Q\", \"R\", None})'"
expect "quotes -f csv: the speaker last" 0 ",Q$" \
    sh -c "$G quotes -d skip.db sante -n 100 -f csv | tr -d '\r'"
printf 'skip_speakers: ["Q :"]\nthemes:\n  a: [x]\n' > badskip.yaml
expect "a label with its colon in skip_speakers" 1 \
    "^grille: badskip\.yaml:1:17: speaker label 'Q :' in 'skip_speakers'" \
    $G codebook check badskip.yaml
printf 'name: Essai\n' > nothemes.yaml
expect "a codebook without themes says so" 1 \
    "^grille: nothemes\.yaml:1:1: no 'themes' in this codebook" \
    $G codebook check nothemes.yaml
for case in \
    'terms: ["réunion* ~5 distance"]|is a proximity rule: put it under .near:.' \
    'terms: ["/r[ée]union/"]|is written as a regex: put it under .regex:.' \
    'exclude: ["/sant. financi.re/"]|is written as a regex, which cannot be excluded' \
    'exclude: ["santé ~3 financière"]|is a proximity rule, which cannot be excluded' \
    "regex: ['']|empty regex in theme 't'" \
    "regex: ['/r[ée]union/']|is written between slashes, which it would look for in the text: write it without them \\(.r\\[ée\\]union.\\)" \
    "regex: ['^']|can match empty text \\(an empty match codes nothing\\)" \
    "regex: ['\\b']|can match empty text" \
    "regex: ['(masques)?']|can match empty text" \
    "regex: ['(?=masques)']|can match empty text" \
    "regex: ['\\b(?<!x)(?=[)]m)']|can match empty text" \
    "regex: ['(?:(?=masques))']|can match empty text" \
    "regex: ['masques\\K']|uses .K, which moves the start of a match" \
    "regex: ['sant\\Ké']|uses .K, which moves the start of a match" \
    "regex: ['(?#[)sant\\Ké(?#])']|uses .K, which moves the start of a match" \
    "regex: ['([(?#]a\\Kb)']|uses .K, which moves the start of a match" \
    'terms: ["=VPN*"]|holds a .\*.: an exact form takes no wildcard' \
    "terms: [\"=l'ARS\"]|holds an elision, a word of its own in a text: =ARS finds the ARS of l'ARS" \
    'terms: ["=l’ARS"]|holds an elision' \
    'terms: ["=ARS,"]|.=ARS,. in theme .t. is not one word as a text is cut into words' \
    'near: ["santé ~3 =VPN*"]|exact form .=VPN\*. in theme .t. holds a .\*.' \
    'terms: ["r.union*"]|has .\.. between .r. and .union\*.' \
    'terms: ["[ée]lus*"]|has .\]. between .ée. and .lus\*.' \
    'exclude: ["masques+gel*"]|has .\+. between .masques. and .gel\*.' \
    'terms: [visio*, *tion]|YAML aliases are not allowed ..\*tion..; a value that starts with .\*. goes in quotes' \
    'terms: [@mention]|cannot start any token .*goes in quotes' \
    'terms: [!important santé]|YAML tags are not allowed ..!important..; a value that starts with .!. goes in quotes' \
    'terms: [&co]|YAML anchors are not allowed ..&co..'; do
    printf 'themes:\n  t:\n    label: T\n    %s\n' "${case%%|*}" > kind.yaml
    expect "a pattern that could never match is refused: ${case%%|*}" 1 \
        "^grille: kind\.yaml:4:[0-9]+: .*${case#*|}" $G codebook check kind.yaml
done
printf 'themes:\n  "sante ":\n    terms: [santé]\n' > spaceid.yaml
expect "a theme id that ends with a space is refused" 1 \
    "^grille: spaceid\.yaml:2:3: bad theme id 'sante ': it starts or ends with a space" \
    $G codebook check spaceid.yaml
printf 'name: ~\nlanguage: Français\nthemes:\n  t:\n    label: ~\n    color: null\n    terms: ["visio*", "!!str 123"]\n' > nulls.yaml
printf 'la visio\n' > nulls.md
expect "name: ~ is the codebook's file name, language: Français" 0 \
    '"codebook": \{"name": "nulls\.yaml"' $G tag -c nulls.yaml -f json nulls.md
expect "label: ~ is the id, not '~'" 0 '^t +t +2 patterns' \
    $G codebook show nulls.yaml
printf "themes:\n  t:\n    regex: ['\\\\QK\\\\K\\\\E', 'a\\\\\\\\K', 'santé(?# \\\\K)', '\\\\c\\\\Ksanté']\n" > quotedk.yaml
expect "a \\K quoted (\\Q...\\E) or escaped (\\\\K) is no reset: accepted" 0 \
    "^quotedk\.yaml: ok" $G codebook check quotedk.yaml
printf "themes:\n  t:\n    regex: ['masques|(?=gel)']\n" > branch.yaml
expect "a regex with a branch of assertions alone is refused" 1 \
    "^grille: branch\.yaml:3:13: regex 'masques\|\(\?=gel\)' in theme 't' can match empty text" \
    $G codebook check branch.yaml
printf 'themes:\n  t:\n\tterms: [a]\n' > tab.yaml
expect "a tab in a codebook is named" 1 \
    "^grille: tab\.yaml:3:1: YAML: .*\(a tab: YAML indents with spaces\)" \
    $G codebook check tab.yaml
printf 'name: Télé\nthemes:\n  t:\n    terms:\n    -\tmasques\n' > tab2.yaml
expect "a tab after accented letters is named too" 1 \
    "^grille: tab2\.yaml:5:6: YAML: .*\(a tab: YAML indents with spaces\)" \
    $G codebook check tab2.yaml
printf 'themes:\n  t:\n    terms: ["masques, gel]\n  u:\n    terms: [maire]\n' > quote.yaml
expect "a quote never closed names where it opened" 1 \
    "^grille: quote\.yaml:6:1: YAML: .*\(the quote opened on line 3, column 13 is never closed\)" \
    $G codebook check quote.yaml
printf 'themes:\n  sante:\n    label: Santé\n    terms: [santé, masques\n  elus:\n    terms: [maire]\n' > bracket.yaml
expect "an unclosed [ names where it opened" 1 \
    "^grille: bracket\.yaml:5:7: YAML: .*\(the '\[' opened on line 4, column 12 is not closed: its '\]' is missing" \
    $G codebook check bracket.yaml
printf 'themes:\n  t:\n    regex: ["\\d+ masques"]\n' > escape.yaml
expect "a backslash escape in double quotes: single quotes advised" 1 \
    "^grille: escape\.yaml:3:14: YAML: found unknown escape character.*write a regex in single quotes" \
    $G codebook check escape.yaml
expect "kwic's mistyped proximity is an error, not 0 matches" 1 \
    "bad proximity rule 'réunion\* ~x distance'" \
    $G kwic -d nope.db "réunion* ~x distance"
expect "kwic's bad regex names no generated theme" 1 \
    "^grille: pattern '/\(réunion/': bad regex '\(réunion': missing" \
    $G kwic -d nope.db "/(réunion/"
expect "kwic: a lone elision is refused, not 0 matches" 1 \
    "^grille: pattern 'l'': term 'l'' ends with an elision" \
    $G kwic -d nope.db "l'"
expect "kwic: punctuation in a pattern advises a regex between slashes" 1 \
    "for any of several words, a regex between slashes: /santé|masques/" \
    $G kwic -d nope.db "santé, masques"
expect "kwic: a hyphen in a pattern advises slashes, not 'regex:'" 1 \
    "'2020' and '2021'.*; a regex between slashes matches" \
    $G kwic -d nope.db "2020-2021"
# (the regex runs only where its literal, "tance", is: the line has it)
printf 'Le %s distance fin.\n' "$(python3 -c "print('mot ' * 3000)")" > longline.md
$G init -d regexstop.db >/dev/null && $G add -d regexstop.db longline.md >/dev/null
expect "kwic: a regex that stops names the regex, not a theme" 1 \
    "^grille: longline\.md:1: the regex /\(.* à distance/ stopped: .* limit .*; simplify it$" \
    $G kwic -d regexstop.db '/(\w+\s?)+ à distance/'
printf 'Le rapport de l%sARS\n' "'" > endars.md
$G init -d endars.db >/dev/null && $G add -d endars.db endars.md >/dev/null
ok "kwic: a match at the end of its segment, no line ending in spaces" sh -c \
    "$G kwic -d endars.db =ARS | grep -q ARS && ! $G kwic -d endars.db =ARS | grep -q ' \$'"
printf 'name: deep\nthemes:\n  un_identifiant_de_theme_vraiment_tres_long_ici:\n    label: Un libellé lui aussi beaucoup trop long pour tenir dans la colonne\n    terms: [santé]\n    children:\n      un_sous_theme_avec_un_identifiant_tres_long:\n        label: 漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢漢\n        terms: [masques]\n' > deep.yaml
ok "codebook show: long ids and wide labels fit 100 columns" sh -c \
    "$G codebook show deep.yaml | python3 '$S/tests/e2e/columns.py' --width 100"
ok "codebook show: its pattern counts stay in one column" sh -c \
    "$G codebook show deep.yaml | python3 '$S/tests/e2e/columns.py' ' pattern'"
python3 -c "print('Les masques : https://example.org/' + 'a' * 150 + ' et ' + '\u6f22' * 80 + ' fin.')" > longword.md
$G init -d longword.db >/dev/null && $G add -d longword.db longword.md >/dev/null
ok "quotes: a word wider than the line is broken to fit 100 columns" sh -c \
    "$G quotes -d longword.db sante | python3 '$S/tests/e2e/columns.py' --width 100"
printf 'Le maire.\n' > "$(printf 'x\ny.md')"
expect "tag: a file name with a line end heads one line" 0 \
    "^== x y\.md \(1 segment" $G tag "$(printf 'x\ny.md')"
printf -- '---\ncollectivite: A\ntype: commune\ncollectivite: B\n---\nLe télétravail.\n' > dupkey.md
expect "a key twice in a front matter is an error" 1 \
    "^grille: dupkey\.md:4:1: key 'collectivite' given twice in the front matter \(first on line 2\)" \
    $G tag dupkey.md
printf -- '---\n"  ": x\ntype: commune\n---\nLe télétravail.\n' > blankkey.md
expect "tag: a front matter key of spaces only is an error at its line" 1 \
    "^grille: blankkey\.md:2:1: a front matter key of spaces only: an attribute needs a name" \
    $G tag blankkey.md
$G init -d blankkey.db > /dev/null
expect "add: a front matter key of spaces only names the note, not the project" 1 \
    "^grille: blankkey\.md:2:1: a front matter key of spaces only" \
    $G add -d blankkey.db blankkey.md
$G init -d cases.db > /dev/null && $G add -d cases.db note.md > /dev/null
# cases_file NAME STATUS REGEX CONTENT: attr import of a cases file
cases_file() {
    printf "$4" > "$1"
    expect "attr import: $1 ($4)" "$2" "$3" $G attr import -d cases.db "$1"
}
cases_file twice.csv 1 \
    "^grille: twice\.csv:1: column 'strate' given twice in the header \(columns 2 and 3\)" \
    'document;strate;strate\nnote.md;a;b\n'
# a listing with columns deleted: its figures and attr.KEY would be
# stored as attributes named so
cases_file trimmed.csv 1 \
    "^grille: trimmed\.csv:1: column 'segments' is one of 'grille list -f csv': its listing comes back only with its first ten columns" \
    'name,words,segments,type\nnote.md,12,3,epci\n'
cases_file prefixed.csv 1 \
    "^grille: prefixed\.csv:1: column 'attr\.words' is one of 'grille list -f csv'" \
    'name,type,attr.words\nnote.md,epci,x\n'
# two spellings of one key: the project would keep one value silently
cases_file spelt.csv 1 \
    "^grille: spelt\.csv:1: columns 'type' and 'Type' \(2 and 3\) name the same attribute: keep one" \
    'document,type,Type\nnote.md,commune,epci\n'
expect "attr set of one key spelt two ways is refused" 2 \
    "^grille: 'Rôle' and ' role ' name the same attribute: give it once" \
    $G attr set -d cases.db note.md 'Rôle=DGS' ' role =DGA'
expect "add -a of one key spelt two ways is refused, nothing added" 2 \
    "^grille: 'type' and 'Type' name the same attribute: give it once" \
    $G add -d cases.db -a type=x -a Type=y note.md
expect "add -a of one key twice is refused" 2 "^grille: 'type' given twice" \
    $G add -d cases.db -a type=x -a type=y note.md
expect "attr set of a key and a longer one is fine" 0 \
    "^set 2 attributes of note\.md" \
    $G attr set -d cases.db note.md 'ty=1' 'typ=2'
# a value the document has already keeps its origin, and is not counted
printf -- '---\nrole: DGS\n---\nLe maire.\n' > fm.md
$G add -d cases.db fm.md > /dev/null
expect "attr set of a value it has: left as it was, not counted" 0 \
    "^set 1 attribute of fm\.md \(1 with the value it had already, left as it was\)" \
    $G attr set -d cases.db fm.md ' Rôle = DGS ' 'strate=a'
expect "...and its origin is the one it had" 0 \
    "^    role = DGS +\(front matter\)" $G list -d cases.db
# a device or a pipe with no end: add refuses it before reading (it is
# no file to find the document by again); codebook check stops at its
# first NUL, not reading until memory runs out
expect "add /dev/zero: refused, not read" 1 \
    "^grille: /dev/zero: not a regular file" \
    timeout 20 $G add -d cases.db /dev/zero
expect "codebook check /dev/zero: refused at its first byte" 1 \
    "^grille: /dev/zero:1:1: " timeout 20 $G codebook check /dev/zero
rm -f endless.md && mkfifo endless.md
endless() {
    yes 'le télétravail des agents' > endless.md &
    local y=$! rc
    timeout 20 $G add -d cases.db endless.md
    rc=$?
    # yes still waits in the open of the pipe for a reader
    kill $y 2>/dev/null
    wait $y 2>/dev/null
    return $rc
}
expect "add of an endless pipe is refused at once" 1 \
    "grille: endless\.md: not a regular file" endless
# one collectivité typed with either apostrophe by two interviewers: a
# row of the cases file is both; a spelling of other case or accents is
# named in the error
printf -- "---\ncollectivite: Département de l'Hérault\n---\nLe maire.\n" > herault1.md
printf -- '---\ncollectivite: Département de l\xe2\x80\x99Hérault\n---\nLes élus.\n' > herault2.md
$G init -d apo.db > /dev/null && $G add -d apo.db herault1.md herault2.md > /dev/null
printf "collectivite,strate\nDépartement de l\xe2\x80\x99Hérault,grand\n" > apo.csv
expect "attr import: a collectivite row with ’ is the one typed with ' too" 0 \
    "^set 2 attribute values on 2 documents from apo\.csv" \
    $G attr import -d apo.db apo.csv
printf "collectivite,strate\ndépartement de l'herault,grand\n" > apocase.csv
expect "attr import: a collectivite of other case and accents is named" 1 \
    "^grille: apocase\.csv:2: no document and no collectivite 'département de l'herault' in the project, which has 'Département de l.*Hérault': write it so" \
    $G attr import -d apo.db apocase.csv
expect "compare: values that differ by their apostrophe are named" 0 \
    "warning: values of 'collectivite' that differ only by case, accents, apostrophes or spaces are separate groups" \
    $G compare -d apo.db --by collectivite
# a generated codebook of 3,000 exclusions over 3,000 terms: whether
# each masks a term is not checked (9 million pairs), and it says so
python3 -c "n=3000;print('themes:\n  t:\n    terms: [%s]\n    exclude: [%s]' % (', '.join('mot%d' % i for i in range(n)), ', '.join('exc%d x' % i for i in range(n))))" > pairs.yaml
expect "codebook check: too many exclusion and term pairs are said, not checked" 0 \
    "^grille: warning: pairs\.yaml: 3000 exclusions over 3000 terms of their themes \(9000000 pairs\): whether an exclusion masks a term of its theme is not checked" \
    $G codebook check pairs.yaml
# a project whose coding ends past its document's text (changed by
# hand): export -f qdpx says so, and leaves no archive, rather than drop
# the coding from it silently
rm -f dmg.db dmg.db-* dmg.qdpx
$G init -d dmg.db > /dev/null && $G add -d dmg.db note.md > /dev/null
python3 -c "import sqlite3; c = sqlite3.connect('dmg.db'); c.execute('UPDATE codings SET \"end\" = 100000000 WHERE id = (SELECT min(id) FROM codings)'); c.commit()"
expect "export -f qdpx of a coding past its text: the project is said damaged" 1 \
    "^grille: dmg\.db: the project file is damaged: a coding of document 'note\.md' \(#1\) spans bytes [0-9]+ to 100000000 of a text of [0-9]+" \
    $G export -d dmg.db -f qdpx -o dmg.qdpx
ok "...and no archive is left" test ! -e dmg.qdpx
# as many exclusions and terms in 2,100 small themes: 4,200 pairs,
# checked (the first masked term said)
python3 -c "print('themes:\n' + ''.join('  t%d: {terms: [mot%d, autre%d], exclude: [mot%d]}\n' % (i, i, i, i) for i in range(2100)))" > small.yaml
expect "codebook check: many small themes' pairs are checked" 0 \
    "^grille: warning: small\.yaml:2:.*term 'mot0' of 't0' is masked by the exclusion 'mot0'" \
    $G codebook check small.yaml
# cooc of many themes, most coded nowhere: the text's matrices leave
# those out (a codebook of 10,000 made 100 million cells), JSON keeps them
python3 -c "print('themes:\n'+''.join('  t%d: {terms: [mot%d]}\n' % (i, i) for i in range(60)))" > many.yaml
printf 'mot1 mot2\n\nmot3\n' > many.txt
rm -f many.db many.db-*
$G init -d many.db -c many.yaml > /dev/null && $G add -d many.db many.txt > /dev/null
expect "cooc: the matrices of many themes leave out those coded nowhere" 0 \
    "^Left out of the matrices: 57 themes coded nowhere" $G cooc -d many.db
printf 'mot1 seul\n' > many1.txt
rm -f many1.db many1.db-*
$G init -d many1.db -c many.yaml > /dev/null && $G add -d many1.db many1.txt > /dev/null
expect "cooc: of many themes, one coded: no pair, said as such" 0 \
    "^No pair: 59 of the themes are coded nowhere, and 1 coded\." \
    $G cooc -d many1.db
ok "cooc -f json: every theme kept" sh -c \
    "$G cooc -d many.db -f json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)[\"codes\"]) == 60'"
# a term's top spelling is its commonest, whichever note came first
printf 'themes:\n  reprise:\n    terms: [réouverture]\n' > reo.yaml
printf 'La reouverture du guichet.\n' > reo1.md
printf 'La réouverture.\n\nUne réouverture.\n\nRéouverture prévue.\n' > reo2.md
for order in "reo1.md reo2.md" "reo2.md reo1.md"; do
    rm -f reo.db reo.db-*
    $G init -d reo.db -c reo.yaml > /dev/null
    # shellcheck disable=SC2086
    $G add -d reo.db $order > /dev/null
    expect "report: a term's commonest spelling is shown (added $order)" 0 \
        "réouverture 4" $G report -d reo.db -n 0
done
expect "report -f json: the same" 0 '"term": "réouverture", "count": 4' \
    $G report -d reo.db -f json
# spellings as common: the earliest coded is shown
printf 'La reouverture.\n\nLa reouverture encore.\n' > tie1.md
printf 'La réouverture.\n\nUne réouverture.\n' > tie2.md
for order in "tie1.md tie2.md:reouverture" "tie2.md tie1.md:réouverture"; do
    rm -f tie.db tie.db-*
    $G init -d tie.db -c reo.yaml > /dev/null
    # shellcheck disable=SC2086
    $G add -d tie.db ${order%%:*} > /dev/null
    expect "report: of spellings as common, the earliest coded (${order%%:*})" 0 \
        " ${order##*:} 4\$" $G report -d tie.db -n 0
done
# a project NAME.db of one theme THEME whose terms are TERMS (a YAML
# flow list's inside), and one note NAME.md printed from NOTE (printf)
mini_project() {
    printf 'themes:\n  %s:\n    terms: [%s]\n' "$2" "$3" > "$1.yaml"
    # shellcheck disable=SC2059
    printf -- "$4" > "$1.md"
    rm -f "$1.db" "$1.db-"*
    $G init -d "$1.db" -c "$1.yaml" > /dev/null
    $G add -d "$1.db" "$1.md" > /dev/null
}
# capitals: a term written in capitals wherever it occurs keeps them
# (an acronym, a name); one written in lowercase somewhere is shown so,
# its capitals at a line's start counted with it
mini_project case outils 'vpn, santé, =ARS, ehpad' \
    '- Santé des agents\n- Santé publique\n- la santé\n- VPN pour tous\n- le VPN encore\n- Vpn\n- ARS\n- EHPAD\n- un EHPAD\n- un ehpad\n'
expect "report: an acronym keeps its capitals in the top terms" 0 \
    "^outils .* EHPAD 3, santé 3, VPN 3, ARS 1\$" $G report -d case.db -n 0
expect "report -f json: the same spellings" 0 \
    '"term": "EHPAD", "count": 3}, {"term": "santé", "count": 3}, {"term": "VPN", "count": 3}, {"term": "ARS"' \
    $G report -d case.db -f json
# a name written in lowercase once (a typo) keeps its capital
mini_project teams outils teams \
    '- réunion sur Teams\n- Teams encore\n- via Teams\n- Teams\n- sur teams\n'
expect "report: one lowercase typo of a name does not lowercase it" 0 \
    "^outils .* Teams 5\$" $G report -d teams.db -n 0
# the top terms cut to fit after a whole term; a first term wider than
# the column is cut in it, with its "…"
mini_project longterm long \
    'une expression vraiment beaucoup trop longue pour la colonne des termes' \
    'Une expression vraiment beaucoup trop longue pour la colonne des termes.\n'
expect "report: a first top term wider than its column is cut in it" 0 \
    "^long .* Une expression vraiment beaucoup trop [a-z ]+…\$" \
    $G report -d longterm.db -n 0
# a typo of a key the reports read: the note would be in no type's
# group, silently; said by add, attr set and attr import (and not for
# keys of their own, nor for a near key beside the right one)
printf -- '---\ntpye: commune\nville: Lodève\n---\nLe maire.\n' > keytypo.md
printf -- '---\ntype: commune\ntypes: a, b\n---\nLe maire encore.\n' > keyfine.md
$G init -d keys.db > /dev/null
expect "add: a front matter key that is a typo of 'type' is said" 0 \
    "^grille: warning: keytypo\.md:2: front matter key 'tpye' is none the reports read: did you mean 'type'\?" \
    $G add -d keys.db keytypo.md
printf -- '---\npole: RH\ndata: x\ntypes: a\nrate: 2\n---\nLe maire aussi.\n' > keyown.md
ok "add: no warning for keys of their own (pole, data, types), nor beside the right key" \
    sh -c "$G add -d keys.db keyfine.md keyown.md 2>&1 | grep -c warning | grep -qx 0"
printf -- '---\ntpye: epci\n---\nLe président.\n' > keytypo2.md
printf -- '---\ntpye: ccas\n---\nLa directrice.\n' > keytypo3.md
expect "add: one warning for a typo in several notes, with their number" 0 \
    "^grille: warning: front matter key 'tpye' \(2 notes, the first keytypo2\.md:2\) is none the reports read: did you mean 'type'\?" \
    $G add -d keys.db keytypo2.md keytypo3.md
printf -- '---\ntpye: commune\ncolectivite: X\nenquteur: Moi\n---\nLe DGS.\n' > keytypos.md
$G init -d keytypos.db > /dev/null
$G add -d keytypos.db keytypos.md > /dev/null 2> keytypos.err
ok "add: each typo of a note is said, not its first only" \
    sh -c "grep -c \"keytypos\\.md:[234]: front matter key '\\(tpye\\|colectivite\\|enquteur\\)' is none the reports read\" keytypos.err | grep -qx 3"
expect "attr set: a key that is a typo of 'enqueteur' is said, and set" 0 \
    "^grille: warning: key 'enqueter' is none the reports read: did you mean 'enqueteur'\?" \
    $G attr set -d keys.db keyfine.md enqueter=Paul
# a document named without its extension: the one meant is said
expect "rm a name without its extension: the document meant is said" 1 \
    "^grille: keys\.db: no document 'keyfine' in the project: did you mean 'keyfine\.md'\? \(see 'grille list'\)\$" \
    $G rm -d keys.db keyfine
printf -- '---\ncollectivite: Gard\nnotes: |\n  tpye: pas ici\ntpye: commune\n---\nx\n' > keyblock.md
expect "add: a typo's line is its key's, not a block's line that looks like it" 0 \
    "^grille: warning: keyblock\.md:5: front matter key 'tpye'" \
    $G add -d keys.db keyblock.md
# attr unset: the typo's key removed; a key the document lacks fails the
# whole command, the keys before it kept
expect "attr unset: the typo's key removed" 0 "^removed 1 attribute of keyfine\.md\$" \
    $G attr unset -d keys.db keyfine.md enqueter
ok "...gone from list" sh -c "! $G list -d keys.db | grep -q 'enqueter ='"
$G attr set -d keys.db keyfine.md strate=rurale > /dev/null
expect "attr unset: a key the document does not have is an error" 1 \
    "^grille: keyfine\.md has no attribute 'nope' \(see 'grille list'\): nothing was removed\$" \
    $G attr unset -d keys.db keyfine.md strate nope
ok "...and the key before it is kept" sh -c "$G list -d keys.db | grep -q 'strate = rurale'"
expect "attr unset: Type removes type" 0 "^removed 1 attribute" \
    $G attr unset -d keys.db keyfine.md Type
expect "attr unset KEY=VALUE: a usage error" 2 "unset takes keys, not KEY=VALUE" \
    $G attr unset -d keys.db keyfine.md strate=rurale
printf 'document,colectivite\nkeyfine.md,Lodève\n' > keytypo.csv
expect "attr import: a column that is a typo of 'collectivite' is said" 0 \
    "^grille: warning: keytypo\.csv:1: column 'colectivite' is none of the attributes the reports read: did you mean 'collectivite'\?" \
    $G attr import -d keys.db keytypo.csv
# the interviewer's other names (Enquêtrice, Intervieweuse, interviewer)
# are the key enqueteur: in the project, tag's JSON and compare --by
printf -- '---\ntype: commune\nEnquêtrice: Claire\n---\nLa maire.\n' > itw1.md
printf -- '---\ntype: ccas\ninterviewer: Paul\n---\nLe directeur.\n' > itw2.md
printf -- '---\ntype: ccas\nintervieweuse: Lou\n---\nLa DGS.\n' > itw3.md
$G init -d itw.db > /dev/null
ok "add: Enquêtrice, interviewer, intervieweuse said nothing" sh -c \
    "$G add -d itw.db itw1.md itw2.md itw3.md 2>&1 | grep -c warning | grep -qx 0"
ok "...stored as enqueteur" sh -c \
    "test \$($G list -d itw.db | grep -c '^ *enqueteur = ') = 3"
ok "...compare --by enqueteur groups them, none in (none)" sh -c \
    "$G compare -d itw.db --by enqueteur -f csv | grep -q Claire && ! $G compare -d itw.db --by enqueteur -f csv | grep -q '(none)'"
expect "...tag -f json names the key enqueteur" 0 \
    '"attributes": \{"type": "ccas", "enqueteur": "Paul"\}' \
    $G tag -f json itw2.md
expect "...compare --by Enquêtrice is --by enqueteur" 0 "Claire" \
    $G compare -d itw.db --by Enquêtrice
expect "...and titled with the key the project stores" 0 "^Themes by enqueteur\$" \
    $G compare -d itw.db --by Enquêtrice
printf -- '---\nenqueteur: Paul\nenquetrice: Claire\n---\nLa mairie.\n' > itw4.md
expect "...enqueteur and enquetrice in one front matter: a key given twice, not a value lost" 1 \
    "^grille: itw4\.md:3:1: key 'enquetrice' given twice in the front matter \(first on line 2, as 'enqueteur'\)" \
    $G tag itw4.md
printf 'document;strate\r\nnote.md;p\xe9riurbain\r\n' > cp1252.csv
expect "attr import of a cases file in Windows-1252: read, and said as for a note" 0 \
    "^grille: warning: cp1252\.csv: converted from Windows-1252 to UTF-8" \
    $G attr import -d cases.db cp1252.csv
expect "...its value read right" 0 "strate = périurbain" $G list -d cases.db
printf 'sep=;\r\ndocument;strate\r\nnote.md;rurale\r\n' > excel.csv
expect "a cases file with Excel's sep=; line is read" 0 \
    "^set 1 attribute value on 1 document from excel\.csv" \
    $G attr import -d cases.db excel.csv
# a spreadsheet's empty rows above the header: skipped, as below it (the
# first was taken for the header), its separator guessed from the header
cases_file above.csv 0 "^set 1 attribute value on 1 document from above\.csv" \
    ';\n;;\n\ndocument;strate\nnote.md;mixte\n'
# a header below Excel's sep= line is named at its own line
cases_file twice2.csv 1 "^grille: twice2\.csv:2: column 'strate' given twice" \
    'sep=;\ndocument;strate;strate\nnote.md;a;b\n'
cases_file empty.csv 1 "^grille: empty\.csv:1: no header row \(only empty rows\)" \
    ';;\n;;\n'
# an empty row of the other separator, or quoted, above the header; a
# wider empty row below it: skipped all the same
cases_file other.csv 0 "^set 1 attribute value" ',,\ndocument;strate\nnote.md;a\n'
cases_file quoted.csv 0 "^set 1 attribute value" \
    '"",""\n"document","strate"\n"note.md","b"\n'
cases_file wider.csv 0 "^set 1 attribute value" \
    'document;strate\n;;;\nnote.md;c\n'
printf 'document\tstrate\nnote.md\ta\n' > tabs.csv
expect "a cases file separated by tabs says so" 1 \
    "^grille: tabs\.csv:1: .*not by tabs" $G attr import -d cases.db tabs.csv
printf 'themes:\n  propre:\n    terms: [masques]\n' > own.yaml
$G init -d own.db -c own.yaml > /dev/null
expect "codebook show -d shows the project's codebook" 0 "^propre " \
    $G codebook show -d own.db
expect "codebook show beside a project says it shows the bundled one" 0 \
    "^grille: warning: this is the bundled codebook; the project own\.db's is another: 'grille codebook show -d own\.db'" \
    env GRILLE_DB=own.db $G codebook show
ok "codebook show beside a project of the bundled codebook: no warning" \
    sh -c "env GRILLE_DB=cases.db $G codebook show 2>&1 >/dev/null | grep -c warning | grep -qx 0"
expect "a code not in the project points at codebook show -d with the project" 1 \
    "no code 'sante' in the project \(see 'grille codebook show -d own\.db'\)" \
    $G report -d own.db --codes sante
ok "report -o the project: refused without a warning on '.db' first" \
    sh -c "$G report -d own.db -o own.db 2>&1 | grep -c warning | grep -qx 0"
expect "a sub-theme named by its last part in capitals: its path is named" 1 \
    "^grille: no code 'Protection' in the project: a sub-theme is named by its path, 'sante/protection'" \
    $G quotes -d cases.db Protection
expect "a code's typo: the nearest code is named" 1 \
    "^grille: no code 'porpre' in the project: did you mean 'propre'\?" \
    $G quotes -d own.db porpre
expect "--codes takes a code's label, without case nor accents, as quotes does" 0 \
    "^Co-occurrence" $G cooc -d own.db --codes PROPRE
expect "a project given as an argument: said to go with -d" 2 \
    "^grille: 'own\.db' names a project: give it with -d \(-d own\.db\)" \
    $G report own.db
expect "quotes CODE PROJECT: the project said to go with -d" 2 \
    "^grille: 'own\.db' names a project: give it with -d" $G quotes propre own.db
expect "a long option with one dash: said, not read as -b y" 2 \
    "^grille: '-by' is no option: a long option takes two dashes \(--by\)" \
    $G compare -d own.db -by type
expect "a long option with one dash and its value: said" 2 \
    "^grille: '-format=html' is no option: a long option takes two dashes \(--format=html\)" \
    $G report -d own.db -format=html
expect "a long option with one dash after a flag (--all): said too" 2 \
    "^grille: '-by' is no option: a long option takes two dashes \(--by\)" \
    $G report -d own.db --all -by type
expect "a kwic PATTERN after -- that reads as an option is the pattern" 0 \
    "^Concordance: -all" $G kwic -d own.db -- -all
ok "an option's value that starts with a dash is left alone" \
    sh -c "$G report -d own.db -o -all.txt && test -s ./-all.txt"
# a theme's YAML slightly wrong: refused, not read as terms or themes
printf 'themes:\n  sante:\n    terms [santé]\n' > nocolon.yaml
expect "a theme's key without its colon is refused, not a phrase" 1 \
    "^grille: nocolon\.yaml:3:5: theme 'sante' is the text 'terms \[santé\]': a ':' is missing after 'terms'" \
    $G codebook check nocolon.yaml
printf 'themes:\n  terms: [santé]\n  label: Santé\n' > shallow.yaml
expect "a theme's keys indented as themes are refused" 1 \
    "^grille: shallow\.yaml:2:3: 'terms' is a key of a theme, not a theme id: indent it under its theme's id" \
    $G codebook check shallow.yaml
printf 'name: x\nthemes:\n  ecole:\n  label: École\n  terms: [école]\n' > shallow2.yaml
expect "a theme's keys at its own indent, under an empty theme: said at the key" 1 \
    "^grille: shallow2\.yaml:4:3: 'label' is a key of a theme, not a theme id: indent it under its theme's id \('ecole', above it\)" \
    $G codebook check shallow2.yaml
printf 'name: x\nthemes:\n  ecole:\n    label: École\n  terms: [école]\n' > shallow3.yaml
expect "a theme's terms one level too far left, after its label: said at the key" 1 \
    "^grille: shallow3\.yaml:5:3: 'terms' is a key of a theme, not a theme id: indent it under its theme's id \('ecole', above it\)" \
    $G codebook check shallow3.yaml
printf 'name: x\nthemes:\n  tt:\n    terms:\n    - télétravail\n    - tt\n     - visio*\n' > deepitem.yaml
expect "a list's item indented further than the one above: said as such, not as a '-' in a phrase" 1 \
    "^grille: deepitem\.yaml:6:7: term 'tt - visio\*' in theme 'tt' runs onto line 7, whose '- ' is indented further than this item's: YAML reads the two as one text; put each '- ' of the list at the same indent\$" \
    $G codebook check deepitem.yaml
printf 'themes:\n  sante:\n    terms:\n      - covid - 19\n      - masque\n' > dashterm.yaml
expect "a '-' inside a one-line term is said as such, not as an indent" 1 \
    "^grille: dashterm\.yaml:4:9: term 'covid - 19' in theme 'sante' has '-' between 'covid' and '19'" \
    $G codebook check dashterm.yaml
printf 'themes:\n  ecole\n    label: École\n' > nocolon2.yaml
expect "a theme id without its ':': the ':' is said, not an indent" 1 \
    "^grille: nocolon2\.yaml:3:10: YAML: mapping values are not allowed in this context \(a line above without its ':'" \
    $G codebook check nocolon2.yaml
printf 'name: x\nthemes:\n  ecole:\n    terms: [école]\n    cantine:\n      terms: [cantine]\n' > nochildren.yaml
expect "a sub-theme without 'children:': the key is unknown, and children: is said" 1 \
    "^grille: nochildren\.yaml:5:5: unknown key 'cantine' in theme 'ecole' .*: a sub-theme goes under 'children:'" \
    $G codebook check nochildren.yaml
printf 'name: x\nthemes:\n  ecole:\n    terms: [école]\n    chidren:\n      cantine:\n        terms: [cantine]\n' > chidren.yaml
ok "a mistyped children: is not taken for a sub-theme without its children:" \
    sh -c "$G codebook check chidren.yaml 2>&1 | grep -q \"unknown key 'chidren' in theme 'ecole' (expected label, description, color, terms, regex, exclude, near or children)\$\""
printf 'themes:\n  a: {near: [" ~5 b"]}\n' > nearnoa.yaml
expect "a proximity rule without its A: said so, not a blank term" 1 \
    "^grille: nearnoa\.yaml:2:14: bad proximity rule ' ~5 b' in theme 'a': its A, the term before '~5', is missing" \
    $G codebook check nearnoa.yaml
printf 'themes:\n  a: {near: ["~5 b"]}\n' > nearnoa2.yaml
expect "a proximity rule without its A, written from its tilde: said so too" 1 \
    "^grille: nearnoa2\.yaml:2:14: bad proximity rule '~5 b' in theme 'a': its A, the term before '~5', is missing" \
    $G codebook check nearnoa2.yaml
printf 'themes:\n  a: {near: ["réunion ~5"]}\n' > nearnob.yaml
expect "a proximity rule without its B: said so" 1 \
    "^grille: nearnob\.yaml:2:14: bad proximity rule 'réunion ~5' in theme 'a': its B, the term after '~5', is missing" \
    $G codebook check nearnob.yaml
printf "themes:\n  a: {regex: ['\\\\u2019']}\n" > regexu.yaml
expect "a regex with JavaScript's \\u: PCRE2's way is said" 1 \
    "written \\\\x\\{2019\\} here, not \\\\u2019\\)\$" \
    $G codebook check regexu.yaml
printf "themes:\n  a: {regex: ['(vous|tu))']}\n" > regextu.yaml
expect "a regex error after a 'u' that is no \\u: no hint about \\x{...}" 1 \
    "^grille: regextu\.yaml:2:15: bad regex '\(vous\|tu\)\)' in theme 'a': [^(]*at offset 9\$" \
    $G codebook check regextu.yaml
printf 'themes:\n  sante: santé\n' > scalar.yaml
expect "a theme that is one text is refused, with the list to write" 1 \
    "^grille: scalar\.yaml:2:10: theme 'sante' is the text 'santé': write its keys under it \(terms: \[\.\.\.\]\), or its terms as a list \(\[santé\]\)" \
    $G codebook check scalar.yaml
printf 'themes:\n  sante:\n    terms: ~\n    near: [a ~2 b]\n' > nullterms.yaml
expect "terms: ~ is an empty key, not a proximity rule" 1 \
    "^grille: nullterms\.yaml:3:12: 'terms' of theme 'sante' is empty: give it a list of patterns, or leave the key out" \
    $G codebook check nullterms.yaml
printf 'themes:\n  sante:\n    terms: [santé, ~]\n    exclude:\n      - santé financière\n      -\n' > nullitem.yaml
expect "an item ~ is empty, not a proximity rule" 1 \
    "^grille: nullitem\.yaml:3:20: an item of 'terms' of theme 'sante' is empty" \
    $G codebook check nullitem.yaml
sed -i 's/santé, ~/santé/' nullitem.yaml
expect "an item '-' alone is empty" 1 \
    "^grille: nullitem\.yaml:6:8: an item of 'exclude' of theme 'sante' is empty" \
    $G codebook check nullitem.yaml
printf 'themes:\n  sante:\n    label: S\n    children: [masques]\n' > kidlist.yaml
expect "children as a list names children and the theme" 1 \
    "^grille: kidlist\.yaml:4:15: 'children' of theme 'sante' must be themes, each an id and a colon" \
    $G codebook check kidlist.yaml
printf "themes:\n  sante:\n    terms: ['* à distance']\n" > starword.yaml
expect "a phrase's word of stars is named, not the phrase" 1 \
    "^grille: starword\.yaml:3:13: '\*' in '\* à distance' of theme 'sante' has no letter" \
    $G codebook check starword.yaml
printf 'version: versi*\nsante: [santé]\n' > dictv.yaml
expect "a dictionary theme named version still loads" 0 "ok \(2 themes" \
    $G codebook check dictv.yaml
printf 'description: Grille déchets\nauthor: Claire Martin\ncollecte: [collecte]\n' > dictd.yaml
expect "a description, not a theme: the missing themes key is said" 1 \
    "^grille: dictd\.yaml:3:1: unknown key 'collecte' at the top of the codebook" \
    $G codebook check dictd.yaml
printf 'sante: [masques]\ndescription: descri*\n' > dictdesc.yaml
expect "a dictionary theme named description, of a glob, still loads" 0 \
    "ok \(2 themes" $G codebook check dictdesc.yaml
printf 'author: [Claire Martin, Karim Haddad]\nthemse:\n  a: [b]\n' > dictauth.yaml
expect "a list of authors makes a codebook: the misspelt themes key is said" 1 \
    "^grille: dictauth\.yaml:2:1: unknown key 'themse' .*\(the file is a codebook: it has 'author'\)" \
    $G codebook check dictauth.yaml
printf 'version: "1.0"\ncollecte: [collecte]\n' > dictn.yaml
expect "a version number, not a theme" 1 \
    "^grille: dictn\.yaml:2:1: unknown key 'collecte'" \
    $G codebook check dictn.yaml
long=$(python3 -c "print('/'.join(['d' * 60] * 9))")
mkdir -p "$long"
expect "init where SQLite cannot open fails cleanly" 1 \
    "p\.db: cannot open the project" $G init -d "$long/p.db"
ok "and leaves no file" test ! -e "$long/p.db"
ok "nor its temporary file" sh -c "! ls '$long' | grep -q tmp"
ln -s nowhere/x.db dangling.db
expect "init on a dangling link says so" 1 \
    "^grille: dangling\.db: is a link to a file that does not exist" \
    $G init -d dangling.db
rm -f dangling.db
printf 'themes:\n  t:\n    regex: [" sant."]\n' > lead.yaml
printf 'La   santé et   les  masques.\n' > lead.md
ok "colour: a match that starts with a space folds as without colour" sh -c "
    $G tag -c lead.yaml --color=always lead.md | sed 's/\x1b\[[0-9;]*m//g' > c.txt
    $G tag -c lead.yaml --color=never lead.md > p.txt
    cmp c.txt p.txt"
printf 'sante: [santé, masques]\nelus:\n  maires: [maire]\n' > dict.yaml
expect "a plain dictionary still loads" 0 "ok \(2 themes, 3 codes" \
    $G codebook check dict.yaml
expect "unknown key names file, line, column" 1 \
    "^grille: bad\.yaml:4:5: unknown key 'termz' in theme 'sante'" \
    $G codebook check bad.yaml
cat > re.yaml <<'YAML'
themes:
  t:
    regex: ['(a+)+$']
YAML
python3 -c "print('a' * 50000 + 'b')" > long.txt
expect "catastrophic regex fails promptly, naming the rule" 1 \
    "long\.txt:1: regex rule '\(a\+\)\+\\$' of theme 't'" \
    timeout 20 $G tag -c re.yaml long.txt
expect "a codebook error stops tag" 1 "bad\.yaml:4:5" $G tag -c bad.yaml note.md

# one of a thing is singular
printf 't:\n  x: [maire]\n' > one.yaml
printf 'Le maire.\n' > one.md
$G init -d one.db -c one.yaml >/dev/null
expect "add: 1 document" 0 "^added 1 document to one\.db$" $G add -d one.db one.md
expect "list: 1 document, 1 segment" 0 \
    "^one\.db: 1 document, 2 words, 1 segment \(1 coded\)$" $G list -d one.db
expect "list: a row of 1 segment keeps its columns" 0 \
    " 2 words    1 segment     1 coded$" $G list -d one.db
expect "quotes: 1 coded segment in 1 document" 0 \
    "^1 coded segment in 1 document\.$" $G quotes -d one.db t
expect "codebook show: 1 pattern, 1 rule" 0 "2 codes, 1 rule$" \
    $G codebook show one.yaml
python3 -c "print('themes:\n  ' + 't' * 80 + ':\n    terms: [sant\u00e9]')" > longid.yaml
expect "codebook show: an id too long for its column, whole on its line" 0 \
    "^t{80}$" $G codebook show longid.yaml

# codebook values that cannot be what the author meant
printf 'themes:\n  t:\n    regex: ["\\bx\\b"]\n' > bs.yaml
expect "a regex with a backspace (\\b in double quotes) is refused" 1 \
    "^grille: bs\.yaml:3:13: regex .* in theme 't' holds the control character U\+0008 at byte 0: .*single quotes" \
    $G codebook check bs.yaml
printf "themes:\n  t:\n    regex: ['\\\\bx\\\\b']\n" > bs1.yaml
expect "the same regex in single quotes loads" 0 "ok \(1 theme" \
    $G codebook check bs1.yaml
printf 'themes:\n  t:\n    terms: [maire]\n  u:\n    terms: ["*"]\n' > star.yaml
expect "a glob of every word names its theme" 1 \
    "^grille: star\.yaml:5:13: glob '\*' in theme 'u' has no letter: it matches every word" \
    $G codebook check star.yaml
printf 'themes:\n  sante:\n    terms: [santé, masques]\n    exclude: [santé]\n    children:\n      p:\n        terms: [agents de santé]\n' > dead.yaml
expect "check: a term its theme's exclusion masks is warned of, with both lines" 0 \
    "^grille: warning: dead\.yaml:3:13: term 'santé' of 'sante' is masked by the exclusion 'santé' \(line 4\): the theme never codes it as written" \
    sh -c "$G codebook check dead.yaml 2>&1"
expect "...and one of a sub-theme" 0 \
    "^grille: warning: dead\.yaml:7:17: term 'agents de santé' of 'sante/p' is masked" \
    sh -c "$G codebook check dead.yaml 2>&1"
printf 'themes:\n  v:\n    terms: [vaccin*, santé]\n    exclude: [vaccin*]\n' > deadglob.yaml
expect "...and a glob by its shortest word" 0 \
    "^grille: warning: deadglob\.yaml:3:13: term 'vaccin\*' of 'v' is masked by the exclusion 'vaccin\*'" \
    sh -c "$G codebook check deadglob.yaml 2>&1"
printf 'themes:\n  v:\n    near: ["masques ~3 gel", "gel ~2 vaccin*"]\n    exclude: [masques, vaccin]\n' > deadnear.yaml
expect "...and a proximity whose first side is masked" 0 \
    "^grille: warning: deadnear\.yaml:3:12: proximity 'masques ~3 gel' of 'v' never codes: its side 'masques' is masked by the exclusion 'masques' \(line 4\)" \
    sh -c "$G codebook check deadnear.yaml 2>&1"
expect "...or its second, a glob" 0 \
    "^grille: warning: deadnear\.yaml:3:30: proximity 'gel ~2 vaccin\*' of 'v' never codes: its side 'vaccin\*' is masked by the exclusion 'vaccin'" \
    sh -c "$G codebook check deadnear.yaml 2>&1"
printf 'themes:\n  v:\n    terms: ["masques?", "sant?", "sant\xc3\xa9 ?"]\n' > question.yaml
expect "a glob ending with a plural's s and '?' is warned of (a regex's habit)" 0 \
    "^grille: warning: question\.yaml:3:13: glob 'masques\?' of 'v' needs one more character after 'masques'" \
    sh -c "$G codebook check question.yaml 2>&1"
ok "...one letter for an accent's is not; 'santé ?' is the word santé" sh -c \
    "$G codebook check question.yaml 2>&1 | grep -c warning | grep -qx 1 &&
     printf 'La sant\xc3\xa9 ? Oui.\n' > question.md &&
     $G tag -c question.yaml -f json question.md | grep -q '\"codes\": \[\"v\"\]'"
printf 'themes:\n  v:\n    terms: ["e-*", "visio*"]\n' > hyphglob.yaml
expect "a hyphen before a glob's '*' is warned of (e-* is e*: every word with an e first)" 0 \
    "^grille: warning: hyphglob\.yaml:3:13: glob 'e-\*' of 'v' is 'e\*': a hyphen is no part of a word's form" \
    sh -c "$G codebook check hyphglob.yaml 2>&1"
ok "...and none of the bundled codebook" sh -c \
    "$G codebook check 2>&1 | grep -q '^riposte.yaml: ok' && ! $G codebook check 2>&1 | grep -q warning"
python3 -c "print('---');[print(f'k{i}: v{i}') for i in range(20000)];print('---\nsanté')" > keys.md
expect "a front matter of 20,000 keys is refused at once, at its 1,001st" 1 \
    "^grille: keys\.md:1002:1: front matter of more than 1000 keys" \
    timeout 10 $G tag keys.md
python3 -c "print('---');[print(f'k{i}: v{i}') for i in range(1000)];print('---\nsanté')" > keys1k.md
expect "...and one of 1,000 is read" 0 "^== keys1k\.md \(1 segment" \
    $G tag keys1k.md
printf 'themes:\n  u:\n    terms: ["*."]\n' > stardot.yaml
expect "a glob of every word with a dot after it is refused" 1 \
    "^grille: stardot\.yaml:3:13: glob '\*\.' in theme 'u' has no letter: it matches every word" \
    $G codebook check stardot.yaml
printf 'collectivite: Auray\ntype: commune\n\n- masques\n' > bare.md
expect "a front matter without its --- lines is warned of, with its line" 0 \
    "^grille: warning: bare\.md:1: 'collectivite: Auray' opens the note as a front matter does, but without its '---' lines" \
    sh -c "$G tag bare.md 2>&1 >/dev/null"
printf '\nDate: 2020-05-12\n\n- masques\n' > bare2.md
expect "...after a blank line, in another spelling" 0 \
    "^grille: warning: bare2\.md:2: 'Date: 2020-05-12' opens the note" \
    sh -c "$G tag -f json bare2.md 2>&1 >/dev/null"
printf 'Contexte: crise\nDate : 12 mai\n' > notbare.md
ok "...and none for a note's own lines (Contexte:, Date :)" sh -c \
    "$G tag notbare.md 2>&1 >/dev/null | grep -c . | grep -qx 0"
printf 'themes:\n  f:\n    terms: [budget, "M\xe2\x82\xac"]\n' > euro.yaml
expect "a term with a euro sign is refused: the words of a text leave it out" 1 \
    "^grille: euro\.yaml:3:21: term 'M€' in theme 'f': '€' is no part of the words of a text" \
    $G codebook check euro.yaml
printf 'themes:\n  f:\n    terms: ["M*\xe2\x82\xac"]\n' > euroglob.yaml
expect "...and one at a glob's end, which is no punctuation to trim" 1 \
    "^grille: euroglob\.yaml:3:13: term 'M\*€' in theme 'f': '€' is no part" \
    $G codebook check euroglob.yaml
printf 'themes:\n  f:\n    terms: ["10 \xc2\xb0C"]\n    exclude: ["$ 5"]\n' > deg.yaml
expect "...and one with a degree sign" 1 \
    "^grille: deg\.yaml:3:13: term '10 °C' in theme 'f': '°' is no part" \
    $G codebook check deg.yaml
for sym in 'C++' 'C#' '> 50' 'masques \xf0\x9f\x98\xb7' '\xc2\xbd journ\xc3\xa9e' '\xe2\x89\xa5 50' '\xe2\x98\x85 accueil'; do
    printf "themes:\n  f:\n    terms: [\"$sym\"]\n" > sym.yaml
    expect "...and a sign of a sum, comparison, fraction or picture ($(printf "$sym")): it coded the words around it" 1 \
        "^grille: sym\.yaml:3:13: term '[^']*' in theme 'f': '[^']*' is no part of the words of a text" \
        $G codebook check sym.yaml
done
printf 'themes:\n  f:\n    terms: ["#covid", "#télétravail"]\n' > hashtag.yaml
expect "...but a hashtag's '#' before its word is fine" 0 \
    "^hashtag\.yaml: ok" $G codebook check hashtag.yaml
printf 'themes:\n  f:\n    terms: ["m\xc2\xb2"]\n' > sup.yaml
expect "...and one with a superscript digit (m² was the word m)" 1 \
    "^grille: sup\.yaml:3:13: term 'm²' in theme 'f': '²' is no part" \
    $G codebook check sup.yaml
printf 'themes:\n  f:\n    terms: ["1\xe1\xb5\x89\xca\xb3 confinement", "50 \xe2\x80\xb0"]\n' > sup2.yaml
expect "...and one with a superscript letter (1ᵉʳ), named as such" 1 \
    "^grille: sup2\.yaml:3:13: term '1ᵉʳ confinement' in theme 'f': 'ᵉ' is no part" \
    $G codebook check sup2.yaml
printf 'themes:\n  f:\n    terms: ["50 \xe2\x80\xb0"]\n' > permille.yaml
expect "...and one with a per mille sign" 1 \
    "^grille: permille\.yaml:3:13: term '50 ‰' in theme 'f': '‰' is no part" \
    $G codebook check permille.yaml
printf 'themes:\n  f:\n    terms: [masques, "1. gel"]\n' > item.yaml
expect "a term that starts as a list's item is refused (it was the words 1 gel)" 1 \
    "^grille: item\.yaml:3:22: term '1\. gel' in theme 'f' starts as a list's item or a speaker's turn does \('1\.'\)" \
    $G codebook check item.yaml
printf 'themes:\n  f:\n    terms: ["\xe2\x80\x94 gestes barri\xc3\xa8res", "\xe2\x80\xa2 masques"]\n' > bulletterm.yaml
ok "...but a bullet's mark alone before a term is punctuation, as before" \
    $G codebook check bulletterm.yaml
printf 'themes:\n  f:\n    terms: ["DGS : r\xc3\xa9union"]\n' > label.yaml
expect "...and one that starts as a speaker's turn" 1 \
    "^grille: label\.yaml:3:13: term 'DGS : réunion' in theme 'f' starts as a list's item or a speaker's turn does \('DGS :'\)" \
    $G codebook check label.yaml
printf "themes:\n  f:\n    regex: ['\\\\bl'accueil\\\\b']\n" > apo.yaml
expect "an apostrophe inside single quotes: YAML's error, and how to write it" 1 \
    "^grille: apo\.yaml:3:18: YAML: .*\(an apostrophe ends a text in single quotes: write it twice, 'l''accueil'" \
    $G codebook check apo.yaml
printf 'themes:\n  f:\n    terms: [Covid : masques]\n' > colon.yaml
expect "a ': ' in a flow list's item is named as YAML's key and value" 1 \
    "^grille: colon\.yaml:3:13: an item of 'terms' of theme 'f', 'Covid: masques', is read by YAML as a key and its value" \
    $G codebook check colon.yaml
printf 'themes:\n  f:\n    terms: [masques, #covid]\n  g: [gel]\n' > hash.yaml
expect "a '#' in a flow list is named as a comment" 1 \
    "a '#' after a space starts a YAML comment" \
    $G codebook check hash.yaml
printf 'themes:\n  f:\n    terms: ["=ARS =DGS"]\n' > eq2.yaml
expect "an exact form with a second '=' is named as written (it read '==DGS')" 1 \
    "^grille: eq2\.yaml:3:13: exact form '=ARS =DGS' in theme 'f' has a second '='" \
    $G codebook check eq2.yaml
printf 'language: [fr]\nthemes:\n  f: [masques]\n' > lang.yaml
expect "a language given as a list says so (it read '?')" 1 \
    "^grille: lang\.yaml:1:11: 'language' must be a text, not a list" \
    $G codebook check lang.yaml
printf 'themes:\n  sante: ~\n' > tilde.yaml
expect "a theme of ~ is empty (it suggested the list [~])" 1 \
    "^grille: tilde\.yaml:2:10: theme 'sante' is empty: give it its terms" \
    $G codebook check tilde.yaml
printf 'themes:\n  u:\n    terms: ["="]\n' > eq.yaml
expect "a term '=' is named as written" 1 \
    "^grille: eq\.yaml:3:13: term '=' in theme 'u' has no word to match" \
    $G codebook check eq.yaml
printf 'themes:\n  u:\n    terms: ["..."]\n' > dots.yaml
expect "a term without a word names its theme" 1 \
    "^grille: dots\.yaml:3:13: term '\.\.\.' in theme 'u' has no word to match" \
    $G codebook check dots.yaml

expect "add - (standard input) is a usage error, nothing created" 2 \
    "'-' \(standard input\) cannot be added" sh -c "echo santé | $G add -d stdin.db -"
ok "and no project was created" test ! -e stdin.db
# <(cmd) is a pipe of another name each time: refused as '-' is, the
# other files added
$G init -d fifo.db >/dev/null
mkfifo note.fifo
printf 'Le maire parle.\n' > plain.md
expect "add of a pipe is refused, naming it; the others go in" 1 \
    "^grille: note\.fifo: not a regular file \(a pipe" \
    $G add -d fifo.db note.fifo plain.md
ok "and only the regular file was added" sh -c \
    "$G list -d fifo.db -f csv | grep -c plain.md | grep -qx 1 &&
     $G list -d fifo.db | grep -q '^fifo.db: 1 document'"

# a pipe or a folder where SQLite keeps the project's own files: named,
# no wait (a pipe as -journal made every command wait forever)
mkfifo fifo.db-journal
expect "a pipe in the place of the project's -journal is named, no wait" 1 \
    "^grille: fifo\.db: .*/fifo\.db-journal is in the way: SQLite keeps the project's -journal file there, and it is a pipe" \
    timeout 20 $G list -d fifo.db
rm fifo.db-journal
rm -f fifo.db-shm # (a reader may have left it: no process holds it)
mkdir fifo.db-shm
expect "...a folder in the place of its -shm" 1 \
    "fifo\.db-shm is in the way: .* it is a folder, not a file; move it away" \
    $G attr set -d fifo.db plain.md k=v
rmdir fifo.db-shm
ok "...and once moved away, the project is as it was" sh -c \
    "$G list -d fifo.db | grep -q '^fifo.db: 1 document'"

# attr import finds a document named in decomposed accents (macOS), or
# with spaces at its ends, however the cases file spells it; and a
# listing finds one whose name is not UTF-8 (written with U+FFFD)
mkdir -p oddnames
printf -- '---\ncollectivite: L\n---\nLe t\303\251l\303\251travail.\n' > "oddnames/$(printf 'Se\314\201bastien.md')"
printf -- '---\ncollectivite: M\n---\nLa sant\303\251.\n' > 'oddnames/  espace.md'
printf -- '---\ncollectivite: N\n---\nLe maire.\n' > "oddnames/$(printf 'caf\351.md')"
$G init -d odd.db >/dev/null && $G add -d odd.db oddnames >/dev/null 2>&1
printf 'document,strate\nS\303\251bastien.md,x\n  espace.md,z\n' > oddcases.csv
expect "attr import: a name in decomposed accents, one with spaces at its ends" 0 \
    "^set 2 attribute values on 2 documents from oddcases\.csv" \
    $G attr import -d odd.db oddcases.csv
$G list -d odd.db -f csv | sed 's/,N,\r$/,N,n\r/' > oddlist.csv
expect "attr import of a listing: a name that is not UTF-8, written with U+FFFD" 0 \
    "^set 1 attribute value on 1 document from oddlist\.csv" \
    $G attr import -d odd.db oddlist.csv

# pipes tagged on two threads: each read once, whole, by the batch that
# takes it (one opened early and put back lost its text, then waited)
mkfifo tp1 tp2 tp3
for i in 1 2 3; do (printf 'Le maire %s.\n' $i > tp$i &); done
ok "tag -j 2 of three pipes: each tagged, no wait" sh -c \
    "timeout 20 $G tag -j 2 tp1 tp2 tp3 | grep -c '^== tp' | grep -qx 3"
rm -f tp1 tp2 tp3

# two names that read alike once their bytes are U+FFFD: the listing's
# id says which document each row is
mkdir -p twonames
printf -- '---\ncollectivite: A\n---\nLe maire.\n' > "twonames/$(printf 'caf\351.md')"
printf -- '---\ncollectivite: B\n---\nLa sant\303\251.\n' > "twonames/$(printf 'caf\350.md')"
$G init -d twon.db >/dev/null && $G add -d twon.db twonames >/dev/null 2>&1
$G list -d twon.db -f csv > twon.csv
for id in 1 2; do
    (head -1 twon.csv | sed 's/\r$/,strate\r/'
     grep "^$id," twon.csv | sed "s/\\r\$/,s$id\\r/") > "twon$id.csv"
    $G attr import -d twon.db "twon$id.csv" >/dev/null 2>&1
done
ok "attr import of listings: two names alike as written, each row on its own id" sh -c \
    "$G list -d twon.db -f csv | grep -q '^1,.*,s1.\$' &&
     $G list -d twon.db -f csv | grep -q '^2,.*,s2.\$'"

# a note's escape sequences never reach the terminal
printf -- '---\ncollectivite: "Ville\\e[2J"\n---\nLe maire \033[31mROUGE\033[0m et \302\2332J la santé \007.\n' > esc.md
$G init -d esc.db >/dev/null
$G add -d esc.db esc.md >/dev/null
for c in "tag esc.md" "tag --color=always esc.md" \
    "quotes -d esc.db elus" "kwic -d esc.db maire" "report -d esc.db" \
    "report -d esc.db -f md" "report -d esc.db -f html"; do
    ok "$c: no control character of the note, U+FFFD instead" sh -c "
        $G $c > esc.out 2>&1 || exit 1
        ! LC_ALL=C grep -q \$(printf '\\033\\\\[2J\\\\|\\033\\\\[31m\\\\|\\007\\\\|\\302\\233') esc.out &&
        grep -q '�' esc.out"
done
# ...nor a file's name, in add's "already in the project", nor a speaker's
# label in tokens, nor the project's path in list
mkdir -p escname && printf 'Le t\303\251l\303\251travail.\n' > "escname/$(printf 'a\033[2Jb.md')"
$G init -d escn.db >/dev/null && $G add -d escn.db escname >/dev/null 2>&1
ok "add again: the name in 'already in the project' has no control character" sh -c "
    $G add -d escn.db escname/* > escn.out 2>&1
    grep -q 'already in the project' escn.out &&
    ! LC_ALL=C grep -q \$(printf '\033') escn.out && grep -q '�' escn.out"
printf 'Mme Roux (a\033[2Jb) : le t\303\251l\303\251travail.\n' > esclabel.md
ok "tokens: a speaker's label has no control character" sh -c "
    $G tokens esclabel.md > escl.out 2>&1 &&
    grep -q 'speaker' escl.out && ! LC_ALL=C grep -q \$(printf '\033') escl.out"
cp escn.db "$(printf 'p\033[2J.db')"
ok "list: the project's path has no control character" sh -c "
    $G list -d \"\$(printf 'p\033[2J.db')\" > escp.out 2>&1 &&
    ! LC_ALL=C grep -q \$(printf '\033') escp.out && grep -q '^p�\\[2J.db: 1 document' escp.out"
ok "tag -f json: C1 controls escaped (U+009B, CSI), no-break spaces and guillemets kept" sh -c "
    printf 'a\\302\\23331m \\302\\253b\\302\\273\\302\\240c\\n' | $G tag -f json - > c1.json &&
    grep -q 'a\\\\u009b31m' c1.json && ! LC_ALL=C grep -q \$(printf '\\302\\233') c1.json &&
    python3 -c 'import json; t = json.load(open(\"c1.json\"))[\"segments\"][0][\"text\"]; assert t == \"a\\x9b31m \\xabb\\xbb\\xa0c\", t'"
ok "tag -f json: every string escaped right whatever its length and the place of the byte to escape" python3 -c "
import json, subprocess
specials = ['\\\"', '\\\\', '\\x01', '\\x7f', '\\x1b', '\\u0080', '\\u009b', '\\u00e9', '\\u00c2', '\\u2019']
lines = []
for n in range(1, 21):
    for k in range(n):
        for c in specials:
            lines.append('maire ' + 'm' * k + c + 'z' * (n - k - 1))
text = '\\n\\n'.join(lines) + '\\n'
out = subprocess.run(['$G', 'tag', '-f', 'json', '-'], input=text.encode(), stdout=subprocess.PIPE, check=True).stdout
d = json.loads(out)
got = [s['text'] for s in d['segments']]
assert got == lines, [(a, b) for a, b in zip(got, lines) if a != b][:3]
assert all(c['term'] == 'maire' for c in d['codings']) and len(d['codings']) == len(lines)
"
ok "tag: bidirectional overrides never reach the terminal, the dashes do" sh -c "
    printf 'Le maire \\342\\200\\256 abc \\342\\201\\246x\\342\\201\\251 \\342\\200\\224 fin.\\n' | $G tag - > bidi.out &&
    ! LC_ALL=C grep -q \$(printf '\\342\\200\\256') bidi.out &&
    ! LC_ALL=C grep -q \$(printf '\\342\\201\\246') bidi.out &&
    grep -q 'abc �x� — fin' bidi.out"
# an attribute's control characters are stored as spaces
for c in "list -d esc.db" "compare -d esc.db --by collectivite"; do
    ok "$c: the attribute's escape stored as a space" sh -c "
        $G $c > esc.out 2>&1 || exit 1
        ! LC_ALL=C grep -q \$(printf '\\033') esc.out &&
        grep -q 'Ville \\[2J' esc.out"
done

expect "--all with --codes is a usage error" 2 "give one of them" \
    $G cooc -d esc.db --all --codes sante

printf 'themes:\n  u:\n    terms: ["?*"]\n' > qstar.yaml
expect "a glob of no letter is refused" 1 \
    "^grille: qstar\.yaml:3:13: glob '\?\*' in theme 'u' has no letter" \
    $G codebook check qstar.yaml
printf 'themes:\n  a:\n    near: ["réunion* ~5 /distanc(e|iel)/"]\n' > nearre.yaml
expect "a proximity rule with a regex side is refused" 1 \
    "^grille: nearre\.yaml:3:12: bad proximity rule .* not regexes between slashes" \
    $G codebook check nearre.yaml
printf '\357\273\277name: Ma grille\nthemes:\n  sante: {terms: [santé]}\n' > bom.yaml
expect "a codebook saved with a UTF-8 BOM loads" 0 "^bom\.yaml: ok \(1 theme" \
    $G codebook check bom.yaml

# an output lost to a full disk is a failure, whatever the command
printf 'la santé\n' > full.txt
for c in "tokens full.txt" "codebook show" "tag full.txt" "--help" \
    "eval -g $S/tests/gold/corpus.tsv"; do
    expect "$c > /dev/full fails" 1 "cannot write the output: No space left" \
        sh -c "$G $c > /dev/full"
done
# list writes its rows in one go, before it closes its output: the
# reason is that write's
$G init -d fullc.db >/dev/null && $G add -d fullc.db "$S/corpus" >/dev/null 2>&1
for f in text csv json; do
    expect "list -f $f > /dev/full says why" 1 \
        "cannot write the output: No space left" \
        sh -c "$G list -d fullc.db -f $f > /dev/full"
done

# -o of a name that leaves no room for a temporary one's suffix beside
# it: a shorter temporary name, so that an error leaves the file as it
# was (it was written in place, emptied first, and left cut)
long=$(printf 'r%.0s' $(seq 250)).html
echo precious > "$long"
expect "an output of a long name cut by an error leaves the file as it was" 1 \
    "cannot write the output: File too large\$" \
    sh -c "ulimit -f 80; trap '' XFSZ; $G report -d fullc.db -f html -o $long"
ok "...the file is as it was, nothing left beside it" sh -c \
    "[ \"\$(cat $long)\" = precious ] && ! ls -a | grep -q grille.tmp"
rm -f "$long"
# what a kill -9 left beside an output (no handler ran) is removed by the
# next run that writes there; a live process's temporary file is kept
touch stale.txt.tmp-999999-abcdef stale.txt.tmp-1-abcdef
ok "a temporary file a killed run left is removed by the next run" sh -c \
    "$G report -d fullc.db -o stale.txt && [ ! -e stale.txt.tmp-999999-abcdef ] && [ -e stale.txt.tmp-1-abcdef ]"
rm -f stale.txt stale.txt.tmp-*

# a full disk: a command that only reads the project still reads it (it
# could not make the -shm, and refused; even an export to another disk)
if [ "$(id -u)" = 0 ] && mkdir -p fullfs && mount -t tmpfs -o size=2m tmpfs fullfs 2>/dev/null; then
    cp fullc.db fullfs/p.db
    dd if=/dev/zero of=fullfs/fill bs=1k count=3000 2>/dev/null
    ok "a full disk: list still reads the project" sh -c \
        "$G list -d fullfs/p.db | grep -q '^fullfs/p.db: 18 documents'"
    ok "...and export saves it to another disk" \
        $G export -d fullfs/p.db -f qdpx -o fullfs-out.qdpx
    expect "...while a command that writes says the disk is full" 1 \
        "the disk is full" $G attr set -d fullfs/p.db "$(basename "$q03")" k=v
    umount fullfs
fi

printf 'language:\nthemes:\n  ~: [masques]\n' > nullid.yaml
expect "a theme id of ~ is YAML's nothing (it was a theme named ~); an empty language is French" 1 \
    "^grille: nullid\.yaml:3:3: theme id '~' is YAML's nothing" \
    $G codebook check nullid.yaml

# a REFI-QDA codebook given where a grille codebook goes: the way to one
$G export -d fullc.db -f qdc -o given.qdc >/dev/null 2>&1
expect "a .qdc given as a codebook names grille import" 1 \
    "^grille: given\.qdc:1:1: an XML file \(a REFI-QDA codebook, \.qdc\?\), not a grille codebook: make one from it with 'grille import" \
    $G codebook check given.qdc

# changes waiting in a -wal without its -shm, on a file system mounted
# read-only: no one can make the -shm there, the owner neither: said so
if [ "$(id -u)" = 0 ] && mkdir -p rofs && mount -t tmpfs -o size=20m tmpfs rofs 2>/dev/null; then
    cp fullc.db rofs/p.db && mkdir -p rofs/n && printf 'Note sur les masques.\n' > rofs/n/a.md
    # a reader holds its snapshot while add commits, and stops unclosed:
    # the add's pages stay in the -wal
    (cd rofs && python3 -c "
import os, sqlite3, subprocess
c = sqlite3.connect('p.db', isolation_level=None)
c.execute('BEGIN'); c.execute('SELECT 1 FROM documents').fetchone()
subprocess.run(['$G', 'add', '-d', 'p.db', 'n'], capture_output=True)
os._exit(0)")
    rm -f rofs/p.db-shm
    if [ -s rofs/p.db-wal ] && mount -o remount,ro rofs 2>/dev/null; then
        expect "a -wal without its -shm on a read-only mount: copy both elsewhere" 1 \
            "changes wait in its -wal, without the -shm that goes with it, on a file system mounted read-only" \
            $G list -d rofs/p.db
    fi
    umount rofs
fi

# --by spelt otherwise: the JSON names the key as the project stores it
ok "report, compare and quotes -f json: --by TYPE and Rôle are type and role" sh -c "
    $G report -d fullc.db --by TYPE -f json | grep -q '\"grid\": {\"by\": \"type\"}' &&
    $G compare -d fullc.db --by \"\$(printf 'R\303\264le')\" -f json | grep -q '^{\"by\": \"role\"' &&
    $G quotes -d fullc.db sante --by TYPE -f json | grep -q '\"by\": \"type\"'"

# the reason of a failed export is the real one
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    chmod 755 "$tmp" && mkdir -p rox/ro && chmod 755 rox rox/ro
    $G init -d rox/p.db >/dev/null && $G add -d rox/p.db full.txt >/dev/null
    chmod 644 rox/p.db
    cp rox/p.db rox/q.db && chmod 644 rox/q.db
    expect "recode --dry-run of a project one may not write says why, and what to do" 1 \
        "recode --dry-run needs the right to write the project, though it changes nothing" \
        setpriv --reuid=65534 --regid=65534 --clear-groups \
        $G recode -n -d rox/q.db
    expect "export into a folder one may not write says why" 1 \
        "x\.qdpx: cannot create a temporary file beside it: Permission denied" \
        setpriv --reuid=65534 --regid=65534 --clear-groups \
        $G export -d rox/p.db -f qdpx -o rox/ro/x.qdpx
fi

# numbers in terms are read as in the text: "1 000", "50 %"
printf 'themes:\n  pct: {terms: ["50 %%"]}\n  mille: {terms: ["1 000 masques"]}\n' > num.yaml
printf 'baisse de 50 %% des recettes\n\n50 agents en poste\n\n1 000 masques distribués\n' > num.txt
expect "a term '50 %' codes '50 %', not '50 agents'" 0 \
    "^num\.txt,0,1,pct,10,14,50 %,50 %,num\.txt,2,5,mille," \
    sh -c "$G tag -c num.yaml -f csv num.txt | tr -d '\r' | tr '\n' ',' | sed 's/document,segment,line,code,start,end,term,rule,//'"
expect "a term '1 000 masques' codes '1 000 masques'" 0 \
    "mille,49,62,1 000 masques" $G tag -c num.yaml -f csv num.txt

# a hyphenated name matches whatever its case and accents
printf 'themes:\n  lieu: {terms: [saint-denis, Île-de-France]}\n  cap: {terms: [Saint-Denis]}\n' > lieu.yaml
printf 'Saint-Denis, saint-denis, SAINT-DENIS.\n\nÎle-de-France, ile-de-france.\n' > lieu.txt
expect "a lowercase term meets the name and every case of it" 0 \
    "^lieu,0,lieu,13,lieu,26,lieu,40,lieu,56,$" \
    sh -c "$G tag -c lieu.yaml -f csv lieu.txt | tr -d '\r' | awk -F, 'NR > 1 && \$4 == \"lieu\" { printf \"%s,%s,\", \$4, \$5 }'; echo"
expect "a capitalised term meets the lowercase word too" 0 "cap,13,24,saint-denis" \
    $G tag -c lieu.yaml -f csv lieu.txt

# a name or a value that is not UTF-8 leaves the JSON valid
printf 'la santé\n' > "$(printf 'entretien-\351lus.md')"
ok "tag -f json of a Latin-1 file name is JSON, the byte as U+FFFD" sh -c "
    $G tag -f json entretien-*lus.md | python3 -c '
import json, sys
d = json.loads(sys.stdin.buffer.read())
assert d[\"document\"][\"name\"] == \"entretien-\ufffdlus.md\", d[\"document\"]'"
$G init -d l1.db >/dev/null
$G add -d l1.db entretien-*lus.md >/dev/null
strict_json="import json, sys; json.loads(sys.stdin.buffer.read())"
ok "list and report -f json of that project are JSON (strict UTF-8)" sh -c "
    $G list -d l1.db -f json | python3 -c '$strict_json' &&
    $G report -d l1.db -f json | python3 -c '$strict_json'"
printf 'Le maire\342\200\250dit : la santé\n' > sep2028.md
$G add -d l1.db sep2028.md >/dev/null
# every other format is UTF-8 too, the byte as U+FFFD, and U+2028 (a line
# end to some terminals) is U+FFFD in the text formats
for c in "list" "list -f csv" "report" "report -f md" "report -f html" \
    "quotes sante" "quotes sante -f csv" "quotes sante -f md" \
    "quotes sante -f html" "kwic santé" "kwic santé -f csv" \
    "kwic santé -f md" "kwic santé -f html"; do
    ok "$c of a Latin-1 file name is UTF-8, the byte as U+FFFD" sh -c "
    $G $c -d l1.db | python3 -c '
import sys
t = sys.stdin.buffer.read().decode()
assert \"entretien-\ufffdlus\" in t, t
assert \"csv\" in \"$c\" or \"\u2028\" not in t, t'"
done
ok "export -f csv and tag -f text, -f csv of that name are UTF-8 too" sh -c "
    mkdir -p l1csv && $G export -d l1.db -f csv -o l1csv >/dev/null &&
    test -s l1csv/codings.csv && test -s l1csv/documents.csv &&
    grep -q 'entretien-' l1csv/documents.csv &&
    cat l1csv/*.csv | python3 -c 'import sys; sys.stdin.buffer.read().decode()' &&
    $G tag entretien-*lus.md | python3 -c 'import sys; sys.stdin.buffer.read().decode()' &&
    $G tag -f csv entretien-*lus.md | python3 -c 'import sys; sys.stdin.buffer.read().decode()'"
expect "add -a with a value that is not UTF-8 is a usage error" 2 \
    "-a KEY=VALUE is not UTF-8 text" $G add -d l1.db -a "type=r$(printf '\351')gion" full.txt
expect "attr set with a value that is not UTF-8 is a usage error" 2 \
    "KEY=VALUE number 1 is not UTF-8 text" \
    $G attr set -d l1.db entretien-*lus.md "type=r$(printf '\351')gion"

# a cycle of parents written into a project by another tool is an error
$G init -d cyc.db >/dev/null && $G add -d cyc.db "$S/corpus" >/dev/null
python3 -c "
import sqlite3; c = sqlite3.connect('cyc.db')
a = c.execute(\"select id from codes where code = 'sante'\").fetchone()[0]
c.execute(\"update codes set parent = (select id from codes where code = 'sante/protection') where id = ?\", (a,))
c.commit()"
for c in "report" "cooc" "quotes sante" "compare --by type"; do
    expect "$c on a project whose codes make a cycle: an error, not a hang" 1 \
        "cyc\.db: the project file is damaged: the parents of code '.*' make a cycle" \
        timeout 20 $G $c -d cyc.db
done

printf 'name: "Grille\\e]0;pwn\\a"\nthemes:\n  sante: {terms: [santé]}\n' > escname.yaml
ok "init: a codebook name's controls never reach the terminal" sh -c "
    $G init -d escname.db -c escname.yaml > esc.out 2>&1 &&
    ! LC_ALL=C grep -q \$(printf '\\033\\\\|\\007') esc.out && grep -q '�' esc.out"
mkdir escdir && touch "escdir/$(printf 'a\033[2J.pdf')"
ok "add: a skipped file's name is written without its controls" sh -c "
    $G add -d escname.db escdir > esc.out 2>&1;
    ! LC_ALL=C grep -q \$(printf '\\033') esc.out && grep -q 'skipped escdir/a�\[2J\.pdf' esc.out"
# adding the project's own folder: the project is no note, and unsaid
mkdir selfdir && printf 'Le télétravail.\n' > selfdir/a.md && printf 'x' > selfdir/b.docx
ok "add .: the project in the folder is passed over unsaid, a stranger said" sh -c "
    cd selfdir && $G init >/dev/null && $G add . > ../self.out 2>&1 &&
    grep -qx 'added 1 document to grille.db, 1 skipped' ../self.out &&
    grep -q 'skipped ./b.docx' ../self.out && ! grep -q 'grille.db:' ../self.out &&
    ! grep -q 'skipped ./grille.db' ../self.out"
# a project named like a note, and a link to it, in the folder walked: no note
mkdir selfmd && printf 'Le télétravail.\n' > selfmd/a.md && ln -s notes.md selfmd/link.md
ok "add .: a project named notes.md and a link to it are not added as notes" sh -c "
    cd selfmd && $G init -d notes.md >/dev/null && $G add -d notes.md . > ../selfmd.out 2>&1 &&
    grep -qx 'added 1 document to notes.md' ../selfmd.out &&
    test \$($G list -d notes.md -f csv 2>/dev/null | grep -c 'link.md\|notes.md') = 0"
escf=$(printf 'w\033]0;pwn\007.txt')
printf 'la sant\351\n' > "$escf"
ok "tag: a warning naming a file never sends its controls to the terminal" sh -c "
    $G tag '$escf' 2> esc.out >/dev/null;
    ! LC_ALL=C grep -q \$(printf '\\033') esc.out && grep -q 'converted from' esc.out"
ok "add, rm, attr set: their summaries name files without their controls" sh -c "
    $G init -d escsum.db >/dev/null && $G add -d escsum.db '$escf' > esc.out 2>/dev/null &&
    $G attr set -d escsum.db '$escf' k=v >> esc.out &&
    $G rm -d escsum.db '$escf' >> esc.out &&
    ! LC_ALL=C grep -q \$(printf '\\033') esc.out && test \$(wc -l < esc.out) = 4 &&
    grep -q ': with 1 attribute set by hand and 0 manual codings' esc.out"
expect "codebook show: 1 pattern" 0 " 1 pattern$" $G codebook show one.yaml

printf 'themes:\n  a: {terms: ["(50 %%)"]}\n  c: {terms: ["10,5 %%"]}\n  d: {terms: ["1 000%%"]}\n' > num2.yaml
printf 'baisse (50 %%) puis 50 agents, 10,5 agents, 10,5 %% et 1 000%% ici\n' > num2.txt
expect "terms '(50 %)', '10,5 %' and '1 000%' meet those numbers only" 0 \
    "^a,8,12,c,43,49,d,53,59,$" \
    sh -c "$G tag -c num2.yaml -f csv num2.txt | tr -d '\r' | awk -F, 'NR > 1 { printf \"%s,%s,%s,\", \$4, \$5, \$6 }'; echo"

printf 'themes:\n  a: {terms: ["saint-*"]}\n  b: {terms: ["*-le-lez"]}\n' > hglob.yaml
printf 'À Saint-Denis, Castelnau-le-Lez et saint-denis.\n' > hglob.txt
expect "a glob with a hyphen meets names and compounds" 0 "^a,3,b,16,a,36,$" \
    sh -c "$G tag -c hglob.yaml -f csv hglob.txt | tr -d '\r' | awk -F, 'NR > 1 { printf \"%s,%s,\", \$4, \$5 }'; echo"

# an attribute value decomposed (macOS) or with spaces around is one value
mkdir nfdnotes
printf -- '---\ntype: de\314\201partement\n---\nLe maire.\n' > nfdnotes/a.md
printf -- '---\ntype: "département "\n---\nLa santé.\n' > nfdnotes/b.md
$G init -d nfd.db >/dev/null && $G add -d nfd.db nfdnotes >/dev/null
$G attr set -d nfd.db a.md 'region= Occitanie ' >/dev/null
expect "compare: one group for the decomposed and the spaced value" 0 \
    "^département +2 " $G compare -d nfd.db --by type
expect "attr set keeps no spaces around a value" 0 "region = Occitanie  " \
    $G list -d nfd.db
# French autocorrect's no-break space before a colon, or after a value
mkdir nbspnotes
printf -- '---\ntype\302\240: commune\n---\nLe maire.\n' > nbspnotes/a.md
printf -- '---\ntype: commune\302\240\n---\nLa sant\303\251.\n' > nbspnotes/b.md
printf -- '---\ntype: commune\n---\nLes \303\251lus.\n' > nbspnotes/c.md
$G init -d nbsp.db >/dev/null && $G add -d nbsp.db nbspnotes >/dev/null
expect "compare: no-break spaces around a key or a value make no group" 0 \
    "^commune +3 " $G compare -d nbsp.db --by type
# the report's keys written with accents or capitals, as a French user
# types them: Collectivité, rôle, Enquêteur
mkdir akeys
printf -- '---\nCollectivit\303\251: Lod\303\250ve\nr\303\264le: DGS\nEnqu\303\252teur: Anne\n---\nLe maire.\n' > akeys/a.md
printf -- '---\ncollectivite: Millau\nrole: DGA\nenqueteur: Anne\n---\nLes \303\251lus.\n' > akeys/b.md
$G init -d akeys.db >/dev/null && $G add -d akeys.db akeys >/dev/null
expect "report: accented keys are the report's keys" 0 \
    "2 documents, .*1 interviewer, 2 collectivit" $G report -d akeys.db
expect "list: the key as the reports read it" 0 "^    role = DGS " \
    $G list -d akeys.db
expect "compare --by R\303\264le: the groups of role" 0 "^DGS +1 " \
    $G compare -d akeys.db --by "$(printf 'R\303\264le')"
# downgrade DB VERSION [SQL]: project DB turned back into an older schema
# (before 7: no documents.file), after SQL
downgrade() {
    python3 - "$@" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for sql in sys.argv[3:]:
    c.execute(sql)
c.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (sys.argv[2],))
c.execute("PRAGMA user_version = %d" % int(sys.argv[2]))
c.execute("DROP INDEX documents_file")
c.execute("ALTER TABLE documents DROP COLUMN file")
c.commit()
PY
}
# a project of schema 5 holds keys and values as they were typed: the
# upgrade stores them as set_attr does now
$G init -d old5.db >/dev/null && $G add -d old5.db akeys/b.md >/dev/null
downgrade old5.db 5 \
    "UPDATE attributes SET key = 'R$(printf '\303\264')le', value = 'DGA$(printf '\302\240')' WHERE key = 'role'" \
    "UPDATE attributes SET key = 'Collectivit$(printf '\303\251')' WHERE key = 'collectivite'"
expect "upgrade to schema 6: the report's keys in one spelling, values trimmed" 0 \
    "^    role = DGA  " $G list -d old5.db
ok "upgrade to schema 6: no key left as typed" sh -c \
    "python3 -c \"import sqlite3; c = sqlite3.connect('old5.db'); k = sorted(r[0] for r in c.execute('SELECT key FROM attributes')); v = c.execute('PRAGMA user_version').fetchone()[0]; raise SystemExit(k != ['collectivite', 'enqueteur', 'role'] or v != 8)\""
# a dry run that opens an older project says that the opening upgraded it
$G init -d old6.db >/dev/null && $G add -d old6.db akeys/b.md >/dev/null
downgrade old6.db 6
expect "recode --dry-run of an older project: the opening upgraded it, said" 0 \
    "nothing was recoded \(the project was upgraded to schema 8 as it was opened\)$" \
    $G recode -d old6.db --dry-run
expect "...and the next dry run wrote nothing" 0 "; nothing was written$" \
    $G recode -d old6.db --dry-run
# a project of schema 7 that stored the interviewer's other names as
# written ("interviewer", "Enquêtrice"): the upgrade to 8 makes them
# enqueteur, which --by enqueteur and the report find
$G init -d old7.db >/dev/null && $G add -d old7.db akeys/b.md >/dev/null
python3 -c "
import sqlite3; c = sqlite3.connect('old7.db')
c.execute(\"UPDATE attributes SET key = 'interviewer' WHERE key = 'enqueteur'\")
c.execute(\"UPDATE meta SET value = '7' WHERE key = 'schema_version'\")
c.execute('PRAGMA user_version = 7'); c.commit()"
expect "upgrade to schema 8: a stored 'interviewer' is enqueteur" 0 \
    "^    enqueteur = " $G list -d old7.db
ok "...and no 'interviewer' key is left" sh -c \
    "python3 -c \"import sqlite3; c = sqlite3.connect('old7.db'); raise SystemExit(c.execute(\\\"SELECT count(*) FROM attributes WHERE key = 'interviewer'\\\").fetchone()[0] != 0)\""
# every space of text.md around a key: a zero-width space, an ideographic
# one; a key of spaces only is no name
$G attr set -d akeys.db a.md "$(printf 'R\303\264le\342\200\213')=maire" >/dev/null
expect "attr set: a zero-width space after R\303\264le, the key role" 0 "^    role = maire " \
    $G list -d akeys.db
expect "attr set: a key of spaces only is a usage error, as '=y' is" 2 \
    "^grille: expected KEY=VALUE, not .* \(the key is blank\)" \
    $G attr set -d akeys.db a.md "$(printf ' \302\240 ')=y"
printf -- '---\nR\303\251gion\342\200\213: BRE\nregion: BZH\n---\nLe maire.\n' > zwkeys.md
expect "front matter: R\303\251gion with a zero-width space and region are one key" 1 \
    "zwkeys\.md:3:1: key 'region' given twice in the front matter" $G tag zwkeys.md
# two spellings of one key in a front matter: refused, as a key given twice
printf -- '---\ntype: a\nTYPE: c\n---\nLe maire.\n' > twokeys.md
expect "front matter: TYPE after type is the same key" 1 \
    "twokeys\.md:3:1: key 'TYPE' given twice in the front matter \(first on line 2, as 'type'\)" \
    $G tag twokeys.md

# a paragraph past 64 KiB is cut at a no-break space too, not in a word
python3 -c "print(('aaaaaaaaaa\u00a0') * 7000)" > nbsp.txt
ok "the 64 KiB cut falls on a no-break space" sh -c "
    $G tokens -f json nbsp.txt | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d[\"segments\"]) == 2, len(d[\"segments\"])
for s in d[\"segments\"]:
    for t in s[\"tokens\"]:
        assert t[\"text\"] == \"a\" * 10, t'"

# a compound's elided part is the word after its elision
printf 'la main-d’œuvre manque, à Villeneuve-d’Ascq\n' > elpart.txt
printf 'themes:\n  oe: {terms: [œuvre]}\n  ascq: {terms: [ascq]}\n' > elpart.yaml
expect "main-d'œuvre meets œuvre, Villeneuve-d'Ascq meets ascq" 0 \
    "^oe,12,18,ascq,[0-9]+,[0-9]+,$" \
    sh -c "$G tag -c elpart.yaml -f csv elpart.txt | tr -d '\r' | awk -F, 'NR > 1 { printf \"%s,%s,%s,\", \$4, \$5, \$6 }'; echo"

# compare: group heads cut to fit become numbers, named below
$G init -d heads.db >/dev/null && $G add -d heads.db "$S/corpus" >/dev/null 2>&1
$G attr set -d heads.db 10-grenoble-metropole-dgs.md 'type=communauté de communes' >/dev/null
$G attr set -d heads.db 15-cc-creuse-grand-sud-cls.md 'type=syndicat de communes' >/dev/null
$G attr set -d heads.db 02-montpellier-dgs.md 'type=établissement public à fiscalité propre' >/dev/null
expect "compare: cut group heads are numbered, and named in a legend" 0 \
    "^Columns: 1 ccas, 2 communauté de communes, 3 commune," \
    $G compare -d heads.db --by type
ok "compare: no head cut into '…de communes'" sh -c "! $G compare -d heads.db --by type | grep -q '…de communes'"

# sub-themes of long ids are not cut into look-alikes ("solidarite/
# associat…" twice): whole where the table has room, else cut in their
# middle, their end kept
printf 'themes:\n  solidarite:\n    terms: [solidarité]\n    children:\n      associations_caritatives_locales: {terms: [association]}\n      associations_caritatives_sportives: {terms: [bénévoles]}\n' > longids.yaml
for t in santé télétravail élus reprise accueil numérique management finances gouvernance coopération terrain; do
    printf '  t_%s: {terms: [%s]}\n' "$(echo $t | tr -d 'éè')" "$t" >> longids.yaml
done
$G init -d longids.db -c longids.yaml >/dev/null && $G add -d longids.db "$S/corpus" >/dev/null 2>&1
for c in "report --all" "cooc --all" "compare --by type --all" "report --all --by type"; do
    ok "$c: sibling sub-themes of long ids can be told apart" sh -c "
        $G $c -d longids.db > longids.out &&
        grep -q 'locales' longids.out && grep -q 'sportives' longids.out &&
        ! grep -E 'solidarite/|^ *associati' longids.out | grep -vE 'locales|sportives'"
done

# the synthesis grid: a document without the attribute, named as a value
# of it, is a row of its own, not counted in that value's group, and its
# heading says it is a document's
$G init -d gridkey.db >/dev/null && $G add -d gridkey.db "$S/corpus" >/dev/null 2>&1
$G report -d gridkey.db --by type | sed -n '/^Synthesis grid/,$p' | grep -A3 '^ccas$' > grid1.out
printf 'la santé des agents, les masques\n' > ccas && $G add -d gridkey.db ccas >/dev/null
ok "report grid: a document named ccas without a type is not in the group ccas" sh -c "
    $G report -d gridkey.db --by type | sed -n '/^Synthesis grid/,\$p' > grid2.out &&
    grep -A3 '^ccas$' grid2.out | cmp -s - grid1.out &&
    grep -A3 '^ccas (document)$' grid2.out | grep -q '^  sante  *1  « la santé des agents'"

# a verbatim of a long segment shows its coded word, not only its start
python3 -c "print('Le conseil a siégé ' + 'longuement et souvent ' * 40 + 'puis le télétravail est venu.')" > longseg.md
$G init -d longseg.db >/dev/null && $G add -d longseg.db longseg.md >/dev/null
for c in "quotes teletravail" "quotes teletravail -f md"; do
    ok "$c: the verbatim of a long segment shows its coded word" sh -c "
        $G $c -d longseg.db | grep -q 'le télétravail est venu'"
done
ok "report: the verbatim of a long segment shows its coded word" sh -c "
    $G report -d longseg.db -f md | sed -n '/^## Verbatims/,\$p' |
    grep -q '^> ….*le télétravail est venu'"

# the excerpt keeps a word that starts right where the lead begins
python3 -c "
b = 'Début abc motvisible un deux trois '
b = (b + 'x' * 210)[:209] + ' ' + 'mairie fin du texte et encore ' * 30
print(b)" > cutword.md
printf 'themes:\n  m: {label: M, terms: [mairie]}\n' > cutword.yaml
$G init -d cutword.db -c cutword.yaml >/dev/null && $G add -d cutword.db cutword.md >/dev/null
ok "quotes: an excerpt that starts on a word's start keeps that word" sh -c "
    $G quotes -d cutword.db m -n 1 | grep -q '« …motvisible un deux'"

# quotes takes a code by its id in any case, or by its label, as an
# import names codes; a name two codes answer to is refused
printf 'themes:\n  accueil: {label: Accueil du public, terms: [accueil]}\n  autre: {label: ACCUEIL, terms: [guichet]}\n  sante: {label: Santé des agents, terms: [santé]}\n' > qnames.yaml
$G init -d qnames.db -c qnames.yaml >/dev/null && $G add -d qnames.db "$S/corpus" >/dev/null 2>&1
expect "quotes SANTE: the code sante" 0 "^Verbatims: Santé des agents \(sante\)" \
    $G quotes -d qnames.db SANTE -n 1
expect "quotes by its label, without accents" 0 "^Verbatims: Santé des agents \(sante\)" \
    $G quotes -d qnames.db "sante des agents" -n 1
expect "quotes by a name two codes answer to: refused, both named" 1 \
    "'Accueil' names several codes \(accueil, autre\): give its id" \
    $G quotes -d qnames.db Accueil

ok "quotes --by: a group without a coded segment says so, as the report" sh -c "
    $G quotes -d gridkey.db finances --by type -n 1 | grep -A3 '^(none)\$' |
    grep -q '^No coded segment.\$'"

# the report's verbatims name a turn's speaker, as quotes does
printf 'Q : Et la santé des agents ?\nR : Les masques sont arrivés en avril, enfin.\n' > turnq.md
$G init -d turnq.db >/dev/null && $G add -d turnq.db turnq.md >/dev/null
ok "report: a verbatim from a turn names its speaker" sh -c "
    $G report -d turnq.db | sed -n '/^Verbatims/,\$p' | tr '\n' ' ' |
    grep -q 'turnq.md, l.2, *turn of R'"

# the HTML chart rounds a share as the table does: 1 of 8 is 13 %
mkdir -p eight && for i in 1 2 3 4 5 6 7 8; do echo "Note $i sur la santé." > eight/n$i.md; done
echo "Le télétravail." >> eight/n1.md
$G init -d eight.db >/dev/null && $G add -d eight.db eight >/dev/null
ok "report -f html: the chart's 1 of 8 is 13%, as its table" sh -c "
    $G report -d eight.db -f html | grep -q '>13%</text>' &&
    ! $G report -d eight.db -f html | grep -q '>12%</text>'"

# a top term with a soft hyphen (Word) is the same term
printf 'Les services techniques ont repris.\n' > shy-a.txt
printf 'Les services tech\302\255niques ont repris.\n' > shy-b.txt
$G init -d shy.db >/dev/null && $G add -d shy.db shy-a.txt shy-b.txt >/dev/null
expect "report: a term written with a soft hyphen is one top term with the other" 0 \
    'services techniques 2' $G report -d shy.db -f csv

# a value written "(none)" is not shown as the group of no value
$G init -d none.db >/dev/null && $G add -d none.db "$S/corpus" >/dev/null 2>&1
printf 'la santé des agents\n' > bare.md && $G add -d none.db bare.md >/dev/null
$G attr set -d none.db 02-montpellier-dgs.md 'type=(none)' >/dev/null
for c in "compare --by type" "quotes sante --by type -n 1" "report"; do
    ok "$c: a value '(none)' and the group of no value are two labels" sh -c "
        $G $c -d none.db > none.out && grep -Eq '^\(none\)( |$)' none.out &&
        grep -q '^(no value)' none.out"
done

# tables count terminal columns: a decomposed accent (macOS file names)
# takes none, a CJK character two, a bidi override the U+FFFD shown for it
nfd=$(printf 'Re\xcc\x81gion-note.md'); cjk=$(printf '\xe4\xb8\xad\xe6\x96\x87-note.md')
bidi=$(printf 'ab\xe2\x80\xaecd-note.md')
for f in "$nfd" plain-note.md "$cjk" "$bidi"; do echo "Le télétravail, la santé: $f" > "$f"; done
$G init -d cols.db >/dev/null && $G add -d cols.db "$nfd" plain-note.md "$cjk" "$bidi" >/dev/null
ok "list aligns names with decomposed accents and wide characters" sh -c \
    "$G list -d cols.db | python3 '$S/tests/e2e/columns.py' '(?<=  )[0-9]+ words'"
printf 'themes:\n  a:\n    label: "Re\xcc\x81gion"\n    terms: [x]\n  b:\n    label: "\xe4\xb8\xad\xe6\x96\x87"\n    terms: [y]\n  c: {label: Plain, terms: [z]}\n' > cols.yaml
# emoji and marks of other scripts, from the C library's tables
emo=$(printf 'caf\303\251-\342\230\225.md'); fus=$(printf 'fus\303\251e-\360\237\232\200.md'); ar=$(printf 'a\331\216b.md')
for f in "$emo" "$fus" "$ar"; do echo "Le t\303\251l\303\251travail: $f" > "$f"; done
$G add -d cols.db "$emo" "$fus" "$ar" >/dev/null
ok "list aligns names with emoji and marks of other scripts" sh -c \
    "$G list -d cols.db | python3 '$S/tests/e2e/columns.py' '(?<=  )[0-9]+ words'"
# kwic: contexts cut in decomposed accents and CJK stay aligned, and no
# accent is left on the "…" of a cut
mkdir kwcols
python3 -c "
open('kwcols/a.txt', 'w').write('e\u0301' * 80 + ' x masque ' + 'y' * 50 + '\n')
open('kwcols/b.txt', 'w').write('plain words before the masque and after\n')
open('kwcols/c.txt', 'w').write('\u4e2d\u6587' * 10 + ' masque \u4e2d\u6587\n')"
$G init -d kwcols.db >/dev/null && $G add -d kwcols.db kwcols >/dev/null
ok "kwic aligns its matches after decomposed accents and wide characters" sh -c \
    "$G kwic -d kwcols.db masque -w 20 | python3 '$S/tests/e2e/columns.py' '  masque  '"
for w in 20 100; do
    ok "kwic -w $w: no accent left on the mark of a cut" sh -c \
        "$G kwic -d kwcols.db masque -w $w | python3 -c 'import sys; sys.exit(\"\u2026\u0301\" in sys.stdin.read())'"
done
ok "codebook show aligns labels with decomposed accents and wide characters" sh -c \
    "$G codebook show cols.yaml | python3 '$S/tests/e2e/columns.py' '(?<=  )[0-9]+ pattern'"

# a tab or a line end in a name or an attribute: one line still, in text
mkdir -p odd && printf -- '---\nregion: "Ligne1\\nLigne2"\ncollectivite: "Tab\\tville"\n---\n\nLes masques et le maire.\n' > "odd/nl
name.md" && printf 'Les masques du maire.\n' > "odd/tab	name.md"
$G init -d odd.db >/dev/null && $G add -d odd.db odd >/dev/null
for args in report list "kwic maire" "quotes sante" "compare --by region" \
    "compare --by collectivite"; do
    ok "a tab or a line end in a name or a value breaks no line: $args" sh -c "
        $G $args -d odd.db | python3 -c '
import sys
t = sys.stdin.read()
bad = [l for l in t.splitlines() if \"\t\" in l or l.startswith(\"name.md\")
       or l.startswith(\"Ligne2\")]
print(bad) if bad else None
sys.exit(1 if bad else 0)'"
done
printf 'name: "A\\tB"\nthemes:\n  s:\n    label: "Sant\\té"\n    terms: [x]\n' > tablabel.yaml
ok "codebook show: a tab in a label or the name is a space" sh -c "
    $G codebook show tablabel.yaml | python3 -c 'import sys; sys.exit(\"\t\" in sys.stdin.read())'"

# CSV headers stay unique: attributes named as list's columns, a theme
# named as matrix.csv's first column
$G attr set -d odd.db '#1' id=7 name=Autre words=9 >/dev/null
printf 'themes:\n  document: [masques]\n  elus: [maire]\n' > doccode.yaml
$G init -d doccode.db -c doccode.yaml >/dev/null &&
    $G add -d doccode.db odd >/dev/null && mkdir -p doccsv
for cmd in "$G list -d odd.db -f csv" \
    "sh -c '$G export -d doccode.db -f csv -o doccsv && cat doccsv/matrix.csv'"; do
    ok "CSV headers are unique: ${cmd%% -d*}" sh -c "$cmd | python3 -c '
import csv, sys
h = next(csv.reader(sys.stdin))
sys.exit(len(h) != len(set(h)))'"
done
ok "an attribute named as a column of list -f csv is attr.KEY" sh -c \
    "$G list -d odd.db -f csv | head -1 | grep -q ',attr.id,attr.name,.*,attr.words'"

# Markdown: a quote that starts like a block, and an entity, stay text
mkdir -p mdq && printf -- '~~~ les masques du maire\n\n2020. les masques, &amp; la santé.\n' > mdq/n.md
$G init -d mdq.db >/dev/null && $G add -d mdq.db mdq >/dev/null
ok "md: a quote starting with ~~~ or '2020.' opens no block; & is &amp;" sh -c "
    $G quotes -d mdq.db sante -f md > mdq.out &&
    grep -qx '> \\\\~\\\\~\\\\~ les masques du maire' mdq.out &&
    grep -qx '> 2020\\\\. les masques, &amp;amp; la santé.' mdq.out"

# a specificity that reads 2.0 has its marker (corpus: Grenoble-Alpes
# Métropole's terrain, 1.9836, just under 2)
$G init -d spec.db >/dev/null && $G add -d spec.db "$S/corpus" >/dev/null 2>&1
ok "compare: no +2.0 without its marker; 1.9836 reads +1.98" sh -c "
    $G compare -d spec.db --by collectivite > spec.out &&
    grep -q ' +1.98 ' spec.out &&
    ! grep -Pq '[+-]2\.0(?![0-9]| [▲▼])' spec.out"
for args in report "kwic masques" "compare --by type" cooc "quotes sante"; do
    ok "no line of the text output ends in a space: $args" sh -c "
        ! $G $args -d spec.db | grep -q ' \$'"
done

# cases files as spreadsheets save them: cells and rows cleaned as stored
cp spec.db cas.db
printf 'collectivite;type\nMontpellier;\xc2\xa0\n' > nbsp.csv
expect "a cell of a no-break space is empty: left alone" 0 \
    "^set 0 attribute values on 0 documents" $G attr import -d cas.db nbsp.csv
ok "and the value is as it was" sh -c "$G list -d cas.db -f csv | grep -q '^2,.*,commune'"
printf 'collectivite;strate;;\r\nMontpellier\xc2\xa0;grande;;\r\n;;;\r\n;;;\r\n' > excel.csv
expect "a name with a trailing no-break space, empty rows and columns" 0 \
    "^set 1 attribute value on 1 document" $G attr import -d cas.db excel.csv
printf 'collectivite;strate;\nMontpellier;grande;x\n' > noname.csv
expect "a value in a column with no name is refused, with its line" 1 \
    "^grille: noname\.csv:2: 'x' is in column 3, which has no name in the header" \
    $G attr import -d cas.db noname.csv
printf 'cas;strate\nMontpellier;grande\n02-montpellier-dgs.md;grande\xc2\xa0\n' > same.csv
expect "two cells stored alike are no conflict" 0 "^set [0-9]+ attribute value" \
    $G attr import -d cas.db same.csv

# an abbreviation's dot breaks no phrase; a sentence's does
printf 'themes:\n  p:\n    terms: ["M. Dupont", "p. 12", "env. 300 agents"]\n  r:\n    terms: ["agents rapport"]\n' > abbr.yaml
ok "a phrase goes over an abbreviation's dot, not a sentence's" sh -c "
    printf 'Vu M. Dupont, voir p. 12, env. 300 agents.\n\nLes agents. Rapport suivant.\n' |
    $G tag -c abbr.yaml -f json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = sorted((c[\"code\"], c[\"term\"]) for c in d[\"codings\"])
sys.exit(got != [(\"p\", \"M. Dupont\"), (\"p\", \"env. 300 agents\"), (\"p\", \"p. 12\")])'"

# a phrase matches its words hyphenated (not a hyphenated word its parts
# apart: "peut-être" is not "il peut être là"), by key
printf 'themes:\n  g:\n    terms: ["gestes barrières", pôle-emploi, "formé à"]\n' > hyph.yaml
ok "a phrase matches its words hyphenated, by key" sh -c "
    printf 'Les gestes-barrières, les Gestes-Barrières et les gestes barrières.\n\nPôle Emploi, pôle-emploi. La forme. Formé à.\n' |
    $G tag -c hyph.yaml -f json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = [c[\"term\"] for c in d[\"codings\"]]
sys.exit(got != [\"gestes-barrières\", \"Gestes-Barrières\", \"gestes barrières\",
                 \"pôle-emploi\", \"Formé à\"])'"
ok "and the plain paths give the same" sh -c "
    printf 'Les gestes-barrières et Pôle Emploi.\n' > hyph.txt &&
    $G tag -c hyph.yaml -f json hyph.txt > fast.json &&
    GRILLE_REFERENCE=1 $G tag -c hyph.yaml -f json hyph.txt > plain.json &&
    cmp fast.json plain.json && grep -q Emploi fast.json"
printf 'themes:\n  v:\n    terms: ["\xc3\xa0 venir", "en vie", "quel que"]\n    near: ["gestes barri\xc3\xa8res ~3 respect"]\n  q:\n    terms: ["sant\xc3\xa9\xc2\xa0?", "r\xc3\xa9union*\xc2\xa0\xc3\xa0 distance"]\n' > joined.yaml
ok "a phrase's hyphenated spelling is a hyphenated word's only (à venir is no avenir), in a proximity too; no-break spaces in terms are spaces" sh -c "
    printf 'Notre avenir. Envie de partir. Quelque chose.\n\nLe respect des gestes-barri\303\250res.\n\nLa sant\303\251 ? Des r\303\251unions \303\240 distance.\n' |
    $G tag -c joined.yaml -f json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = [(c[\"code\"], c[\"term\"]) for c in d[\"codings\"]]
sys.exit(got != [(\"v\", \"respect des gestes-barri\u00e8res\"), (\"q\", \"sant\u00e9\"),
                 (\"q\", \"r\u00e9unions \u00e0 distance\")])'"
printf 'themes:\n  w:\n    terms: ["agents territoriaux", "salari\xc3\xa9s volontaires"]\n' > inclusive.yaml
ok "inclusive writing's middle dot is inside a word: agent·e·s territoriaux, salarié·e·s volontaires" sh -c "
    printf 'Les agent\302\267e\302\267s territoriaux, les salari\303\251\302\267e\302\267s volontaires. Paris \302\267 Lyon.\n' |
    $G tag -c inclusive.yaml -f json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"document\"][\"words\"] == 8, d[\"document\"][\"words\"]
sys.exit(len(d[\"codings\"]) != 2)'"
printf "themes:\n  e:\n    terms: [\"l'\xc3\xa9cole\", \"centre d'accueil\"]\n" > spacedel.yaml
ok "an elision with one space before its word is one (l' école, d' accueil); parents' avis is none" sh -c "
    printf \"L' \303\251cole et le centre d' accueil. Les parents' avis.\n\" |
    $G tag -c spacedel.yaml -f json - | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = [c[\"term\"] for c in d[\"codings\"]]
sys.exit(got != [\"L\x27 \u00e9cole\", \"centre d\x27 accueil\"])'"
printf 'collectivite;Strate\nMontpellier;grande\n' > casecol.csv
expect "a column spelt otherwise than an attribute there is said" 0 \
    "warning: casecol\.csv:1: column 'Strate' is an attribute of its own: the project has 'strate'" \
    $G attr import -d cas.db casecol.csv
printf 'collectivite;strate\nMontpellier;grande\n' > exactcol.csv
ok "a column spelt as an attribute there is no warning, though another spelling is there" sh -c \
    "$G attr import -d cas.db exactcol.csv 2>&1 >/dev/null | grep -c warning | grep -qx 0"

# a listing edited in a spreadsheet comes back: ids, figures left out,
# values already there keep their origin
$G list -d cas.db -f csv | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
rows[0].append("taille")
for r in rows[1:]:
    r.append("t" + r[0])
csv.writer(sys.stdout).writerows(rows)' > listing.csv
expect "an edited listing imports: one new value per document" 0 \
    "^set 18 attribute values on 18 documents from listing\.csv" \
    $G attr import -d cas.db listing.csv
ok "its figures are not attributes, the front matter keeps its origin" sh -c "
    $G list -d cas.db > listing.out &&
    grep -q 'taille = t2 .*(listing.csv)' listing.out &&
    grep -q 'type = commune .*(front matter)' listing.out &&
    ! grep -q 'words = ' listing.out"

# values a spreadsheet would read as a formula: the listing marks them
# with a ', which the import reads without
$G init -d guard.db >/dev/null
printf -- '---\ncollectivite: Lyon\nstrate: +100k\nevolution: -3\nmail: "@mairie"\nf: =1\ng: "'"'"'+x"\nh: "'"'"''"'"'=y"\n-score: 3\n---\nLe maire parle.\n' > guard.md
$G add -d guard.db guard.md >/dev/null
$G list -d guard.db -f csv > guard.csv
$G list -d guard.db > guard.before
expect "a listing imported as it is sets nothing" 0 \
    "^set 0 attribute values on 0 documents from guard\.csv" \
    $G attr import -d guard.db guard.csv
ok "and its marked values are the same, one that starts as marked too" sh -c "
    grep -q \"'+100k\" guard.csv && grep -q \"''+x\" guard.csv &&
    $G list -d guard.db | cmp - guard.before"

# values a reader would call one make separate groups: said
cp spec.db variants.db && $G attr set -d variants.db '#1' type=Commune >/dev/null
expect "compare: values that differ only by case are named" 0 \
    "warning: values of 'type' that differ only by case, accents, apostrophes or spaces are separate groups: 'Commune' and 'commune'" \
    $G compare -d variants.db --by type
expect "report: its tables' values spelt two ways are named too" 0 \
    "warning: values of 'type' that differ only by case, accents, apostrophes or spaces are separate groups: 'Commune' and 'commune'" \
    $G report -d variants.db
expect "quotes --by: its groups' values spelt two ways are named too" 0 \
    "warning: values of 'type' that differ only by case, accents, apostrophes or spaces are separate groups: 'Commune' and 'commune'" \
    $G quotes -d variants.db sante --by type
$G attr set -d variants.db '#3' 'type=Département' >/dev/null
$G attr set -d variants.db '#4' 'type=DEPARTEMENT ' >/dev/null
expect "accents and capitals: one value, named" 0 \
    "'DEPARTEMENT' and 'Département', 'DEPARTEMENT' and 'departement', 'Département' and 'departement'" \
    $G compare -d variants.db --by type
ok "report: none on the corpus as it is" sh -c "
    [ -z \"\$($G report -d spec.db 2>&1 >/dev/null)\" ]"
ok "compare: none on the corpus as it is" sh -c "
    [ -z \"\$($G compare -d spec.db --by type 2>&1 >/dev/null)\" ]"

# a review's cases: an exact number, a dictionary leaf named like a key,
# an abbreviation after a no-break space, a hyphenated term's parts apart
printf 'themes:\n  s:\n    terms: ["=1 000", "M. Dupont", peut-être]\n' > review.yaml
ok "=1 000 codes 1 000; M. Dupont after a no-break space; not peut être" sh -c "
    printf 'Il y a 1 000 agents, vu \302\240M. Dupont. Il peut être là.\n' |
    $G tag -c review.yaml -f json - | python3 -c '
import json, sys
got = [c[\"term\"] for c in json.load(sys.stdin)[\"codings\"]]
sys.exit(got != [\"1 000\", \"M. Dupont\"])'"
printf 'qualite: label\nsante: [santé]\n' > dictlabel.yaml
expect "a dictionary's leaf may be the word label" 0 "ok \(2 themes" \
    $G codebook check dictlabel.yaml

# --codes and a theme id that holds a comma
printf 'themes:\n  "c,d": [masques]\n  c: [maire]\n  e: [santé]\n' > comma.yaml
$G init -d comma.db -c comma.yaml >/dev/null && $G add -d comma.db "$S/corpus" >/dev/null 2>&1
ok "--codes takes an id with a comma: c,d,e is 'c,d' and e" sh -c "
    $G cooc -d comma.db --codes 'c,d,e' -f json |
    python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)[\"codes\"] != [\"c,d\", \"e\"])'"
expect "--codes names the piece that is no id" 1 "no code 'x' in the project" \
    $G cooc -d comma.db --codes 'e,x,c'

# a French locale (decimal comma) changes no number grille writes
if mkdir -p "$tmp/loc" && localedef -i fr_FR -f UTF-8 "$tmp/loc/fr_FR.utf8" >/dev/null 2>&1 &&
    [ "$(LOCPATH=$tmp/loc LC_ALL=fr_FR.UTF-8 /usr/bin/printf '%.1f' 0.5)" = "0,5" ]; then
    $G init -d fr.db >/dev/null && $G add -d fr.db "$S/corpus" >/dev/null 2>&1
    for args in "report -d fr.db -f json" "cooc -d fr.db -f json" \
        "compare -d fr.db --by type -f json" \
        "eval -g $S/tests/gold/corpus.tsv -f json"; do
        ok "French locale: ${args%% *} -f json is the C locale's output" sh -c "
            LOCPATH='$tmp/loc' LC_ALL=fr_FR.UTF-8 $G $args > fr.out &&
            LC_ALL=C.UTF-8 $G $args > c.out && cmp fr.out c.out &&
            python3 -m json.tool fr.out > /dev/null"
    done
    ok "French locale: compare -f csv keeps its columns" sh -c "
        LOCPATH='$tmp/loc' LC_ALL=fr_FR.UTF-8 $G compare --by type -f csv -d fr.db |
        python3 -c 'import csv,sys; r=list(csv.reader(sys.stdin)); sys.exit(len({len(x) for x in r}) != 1)'"
else
    ok "a French locale can be made for the test (localedef, package locales)" false
fi

done_testing
