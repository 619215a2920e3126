# tap.sh - a few helpers for end-to-end tests written in bash that print
# TAP.  Source it, call the checks, end with `done_testing`.
#   ok NAME COMMAND...          passes when COMMAND exits 0
#   expect NAME STATUS PATTERN COMMAND...
#                               runs COMMAND, passes when it exits with
#                               STATUS and its stderr+stdout match the
#                               extended regex PATTERN
n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
    local name=$1; shift
    n=$((n + 1))
    if "$@" >"$tmp/out" 2>&1; then
        echo "ok $n - $name"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name"
        # the output's last line ended, or the next TAP line joins it
        sed '$a\' "$tmp/out" | sed 's/^/# /' | head -20
    fi
}

expect() {
    local name=$1 status=$2 pattern=$3; shift 3
    n=$((n + 1))
    "$@" >"$tmp/out" 2>&1
    local got=$?
    if [ "$got" -eq "$status" ] && grep -Eq -- "$pattern" "$tmp/out"; then
        echo "ok $n - $name"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name (exit $got, want $status; want /$pattern/)"
        # the output's last line ended, or the next TAP line joins it
        sed '$a\' "$tmp/out" | sed 's/^/# /' | head -20
    fi
}

done_testing() {
    echo "1..$n"
    [ "$failed" -eq 0 ]
}
