# shellcheck shell=bash
# Helpers for the hostile-server tests (tests/integration/hostile_*.sh). Source it after lib.sh:
#
#   source "$(dirname "$0")/../harness/lib.sh"
#   source "$(dirname "$0")/../harness/hostile_lib.sh"
#   hostile_start
#   run_bounded 6 1 "$SMTPX" run send_plain --server "127.0.0.1:$HOSTILE_PORT_SILENT" --timeout 1 ...
#
# Bounds, overridable from the environment (the sanitizer build is slower and its allocator keeps
# freed memory in quarantine, so .ci/sanitize.sh raises them):
#   HOSTILE_TIME_MARGIN   seconds a run may take beyond the timeout it is given (default 1.5)
#   HOSTILE_RSS_MARGIN_MB max RSS a run may have beyond that of a run that does nothing (default 12)

HOSTILE_TIME_MARGIN=${HOSTILE_TIME_MARGIN:-1.5}
HOSTILE_RSS_MARGIN_MB=${HOSTILE_RSS_MARGIN_MB:-12}
HOSTILE_SERVER=$SMTPX_ROOT/tests/harness/hostile_server.py
[[ -x /usr/bin/time ]] || fail "hostile tests need /usr/bin/time (Debian package 'time')"

# hostile_start: starts tests/harness/hostile_server.py for this test (its own ports, stopped at
# exit) and sets HOSTILE_PORT_<SCENARIO> for every scenario.
# The runners most hostile cases use, each followed by HOST:PORT:
# SEND: the bundled `send` script (stdlib client, exit codes by phase);
# BANNER: a script that only reads the banner with the raw primitives (exit codes by kind).
SEND=("$SMTPX" run send --set to=victim@example.com --timeout 1 --server)
BANNER=("$SMTPX" run "$TEST_TMP/banner.lua" --timeout 1 --server)
printf 'local s = smtp.connect(server)\ns:expect(220)\nreturn 0\n' >"$TEST_TMP/banner.lua"

hostile_start() {
  local ports=$TEST_TMP/hostile.ports i
  /usr/bin/python3 "$HOSTILE_SERVER" --ports-file "$ports" --lifetime 300 \
    >"$TEST_TMP/hostile.log" 2>&1 &
  HOSTILE_PID=$!
  trap 'kill "$HOSTILE_PID" 2>/dev/null || true; rm -rf "$TEST_TMP"' EXIT
  for ((i = 0; i < 100; i++)); do
    [[ -s $ports ]] && break
    kill -0 "$HOSTILE_PID" 2>/dev/null || { cat "$TEST_TMP/hostile.log" >&2; fail "hostile server died"; }
    sleep 0.1
  done
  [[ -s $ports ]] || fail "hostile server wrote no ports file within 10 s"
  # shellcheck source=/dev/null
  . "$ports"
  hostile_baseline_rss
}

# The max RSS (KiB) of a run that loads the engine and returns at once: what the margins add to.
hostile_baseline_rss() {
  printf 'return 0\n' >"$TEST_TMP/noop.lua"
  /usr/bin/time -f '%M' -o "$TEST_TMP/noop.rss" "$SMTPX" run "$TEST_TMP/noop.lua" >/dev/null 2>&1 ||
    fail "a script that does nothing failed"
  BASELINE_RSS_KB=$(tail -n 1 "$TEST_TMP/noop.rss")
}

# run_bounded EXPECTED_EXIT TIMEOUT CMD...: like assert_exit, and the run must end within TIMEOUT
# (the timeout it was given) + HOSTILE_TIME_MARGIN seconds, with a max RSS at most
# HOSTILE_RSS_MARGIN_MB above the baseline. Sets LAST_SECONDS and LAST_RSS_KB.
run_bounded() {
  local expected=$1 timeout=$2 measure=$TEST_TMP/last.time
  shift 2
  LAST_EXIT=0
  # `timeout` is the backstop should smtpx hang: the test then fails instead of CTest timing out.
  /usr/bin/time -f '%e %M' -o "$measure" \
    timeout -k 1 30 "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR" || LAST_EXIT=$?
  read -r LAST_SECONDS LAST_RSS_KB < <(tail -n 1 "$measure")
  local context="$* (exit $LAST_EXIT, ${LAST_SECONDS}s, ${LAST_RSS_KB} KiB; baseline $BASELINE_RSS_KB KiB)"
  if ((LAST_EXIT != expected)); then
    { echo "---- stdout ----"; tail -n 20 "$LAST_STDOUT"; echo "---- stderr ----"; tail -n 40 "$LAST_STDERR"; } >&2
    fail "exit code $LAST_EXIT, expected $expected: $context"
  fi
  awk -v t="$LAST_SECONDS" -v limit="$timeout" -v m="$HOSTILE_TIME_MARGIN" 'BEGIN { exit !(t <= limit + m) }' ||
    fail "took too long (limit ${timeout}s + ${HOSTILE_TIME_MARGIN}s): $context"
  ((LAST_RSS_KB <= BASELINE_RSS_KB + HOSTILE_RSS_MARGIN_MB * 1024)) ||
    fail "used too much memory (limit baseline + ${HOSTILE_RSS_MARGIN_MB} MiB): $context"
}

# assert_not_contains FILE TEXT: FILE does not contain TEXT (a fixed string).
assert_not_contains() {
  [[ -f $1 ]] || fail "assert_not_contains: no file $1"
  grep -qF -- "$2" "$1" || return 0
  grep -nF -- "$2" "$1" | head -n 5 >&2
  fail "$1 contains '$2'"
}
