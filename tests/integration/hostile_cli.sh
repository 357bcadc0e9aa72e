#!/usr/bin/env bash
# Bad command lines: unknown options, missing values, numbers that are not (or too big), bad
# HOST:PORT forms, unreadable or unsuitable files. Each is a usage error (exit 2) naming the
# culprit, before any connection; core_failures.sh has the first few of these.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_baseline_rss

printf 'return 0\n' >"$TEST_TMP/ok.lua"
OK=("$SMTPX" run "$TEST_TMP/ok.lua")

# usage_error TEXT ARGS...: `smtpx run ok.lua ARGS...` exits 2 at once and says TEXT.
usage_error() {
  local text=$1
  shift
  run_bounded 2 0 "${OK[@]}" "$@"
  assert_contains "$LAST_STDERR" "$text"
  assert_contains "$LAST_STDERR" "Try 'smtpx --help'."
}

usage_error "unknown option --frobnicate" --frobnicate
usage_error "unknown option -x" -x
usage_error "option --server needs a value" --server
usage_error "option --timeout needs a value" --timeout
usage_error "option --set needs a value" --set
usage_error "--set needs KEY=VALUE, not 'novalue'" --set novalue
usage_error "--set needs KEY=VALUE, not '=x'" --set =x
usage_error "unexpected argument 'extra'" extra
for bad in abc 0 -1 nan inf 1e300 1e7 ""; do
  usage_error "option --timeout needs a positive number (up to 1000000), not '$bad'" --timeout "$bad"
done
usage_error "option --busy-limit needs a positive number" --busy-limit inf
for bad in 0 -3 1.5 99999999999; do
  usage_error "option --parallel needs a positive whole number, not '$bad'" --parallel "$bad"
done
for bad in -1 1.5 abc 100001 ""; do
  usage_error "option --spin needs a whole number from 0 to 100000, not '$bad'" --spin "$bad"
done
run_bounded 0 0 "${OK[@]}" --spin 0
run_bounded 0 0 "${OK[@]}" --spin=100000

# HOST:PORT forms.
bad_server() { usage_error "invalid server address \"$1\": $2" --server "$1"; }
bad_server "" "empty host"
bad_server ":25" "empty host"
bad_server "host:" "empty port"
bad_server "host:0" "port out of range 1-65535"
bad_server "host:65536" "port out of range 1-65535"
bad_server "host:99999999999999999999" "port out of range 1-65535"
bad_server "host:abc" "port is not a number"
bad_server "host:+25" "port is not a number"
bad_server "host:-1" "port is not a number"
bad_server "host: 25" "contains spaces"
bad_server "[::1" "'[' without ']'"
bad_server "[::1]:" "empty port"
bad_server "[]:25" "empty host"
bad_server "[::1]x:25" "unexpected text after ']'"
bad_server "host:25:25" "not an IPv6 address"
bad_server "[mail.example.org]:25" "not an IPv6 address"
bad_server "a]b:25" "unbalanced brackets"
# The same forms in a --servers file name the file's entry.
printf '# comment\n127.0.0.1:25\nhost:25:25\n' >"$TEST_TMP/servers.txt"
usage_error 'invalid server address "host:25:25"' --servers "$TEST_TMP/servers.txt"

# Files: missing, a directory, empty, not writable.
usage_error "cannot read servers file $TEST_TMP/missing" --servers "$TEST_TMP/missing"
usage_error "cannot read servers file $TEST_TMP" --servers "$TEST_TMP"
printf '# only comments\n\n' >"$TEST_TMP/empty.txt"
usage_error "no servers in $TEST_TMP/empty.txt" --servers "$TEST_TMP/empty.txt"
run_bounded 2 0 "$SMTPX" run "$TEST_TMP/missing.lua"
assert_contains "$LAST_STDERR" "no script '$TEST_TMP/missing.lua' (not a file, nor a bundled script)"
run_bounded 2 0 "$SMTPX" run "$TEST_TMP"
assert_contains "$LAST_STDERR" "no script '$TEST_TMP'"
run_bounded 3 0 "${OK[@]}" --transcript "$TEST_TMP/no/such/dir/t.log"
assert_contains "$LAST_STDERR" "cannot write transcript file $TEST_TMP/no/such/dir/t.log"

# A binary file is a script error naming the file, not a crash.
head -c 4096 /dev/urandom >"$TEST_TMP/binary.lua"
run_bounded 3 0 "$SMTPX" run "$TEST_TMP/binary.lua"
assert_contains "$LAST_STDERR" "binary.lua"

# Other commands name the bad input too.
run_bounded 2 0 "$SMTPX" help no_such_script
assert_contains "$LAST_STDERR" "no script 'no_such_script'"
run_bounded 2 0 "$SMTPX" help
run_bounded 2 0 "$SMTPX" --no-such-flag
assert_contains "$LAST_STDERR" "unknown command '--no-such-flag'"
echo "hostile_cli: ok"
