#!/bin/sh
# fuzz.sh - builds the libFuzzer targets with clang, ASan and UBSan, and
# runs each for SECONDS (default 600), two at a time on two cores.
#
#   tools/fuzz.sh [SECONDS]
#
# Seeds come from tests/fuzz/seeds/TARGET; what the fuzzer learns goes to
# build-fuzz/corpus/TARGET; a crash is written to build-fuzz/artifacts/ and
# makes the script exit 1.  The last lines of each run are in
# build-fuzz/TARGET.log.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-600}
B=build-fuzz
if [ ! -f "$B/build.ninja" ]; then
    CC=clang meson setup "$B" -Dfuzz=true -Dtests=false \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$B" >/dev/null
mkdir -p "$B/artifacts"
run() {
    t=$1
    mkdir -p "$B/corpus/$t"
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$B/tests/fuzz/fuzz_$t" "$B/corpus/$t" "tests/fuzz/seeds/$t" \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -artifact_prefix="$B/artifacts/$t-" \
        -print_final_stats=1 >"$B/$t.log" 2>&1
}
status=0
run text & p1=$!
run codebook & p2=$!
wait $p1 || status=1
wait $p2 || status=1
run frontmatter & p1=$!
run tag & p2=$!
wait $p1 || status=1
wait $p2 || status=1
run refi & p1=$!
run qdc & p2=$!
wait $p1 || status=1
wait $p2 || status=1
for t in text codebook frontmatter tag refi qdc; do
    printf '%-12s ' "$t"
    grep -E '^stat::number_of_executed_units|^Done|ERROR|SUMMARY' "$B/$t.log" |
        tr '\n' ' '
    echo
done
exit $status
