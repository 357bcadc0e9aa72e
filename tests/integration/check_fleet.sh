#!/usr/bin/env bash
# Many servers in one smtpx check: --servers FILE and repeated -H run concurrently in one process
# (six servers that each stall for the whole 1.5 s check finish together, not one after the
# other), give one result per server, and exit with the worst state; --parallel bounds them.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/check_lib.sh"

seconds_since() {
  python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 2))" "$1"
}

stalls=()
for _ in 1 2 3 4 5 6; do
  start_scripted stall
  stalls+=("127.0.0.1:$SCRIPTED_PORT")
done
closed=127.0.0.1:$(closed_port)
{
  echo "# the test fleet"
  printf '%s\n' "${stalls[@]}"
  echo ""
  echo "  $TEST_HOST:$POSTFIX_PORT  "
  echo "$TEST_HOST:$EXIM_PORT"
  echo "$TEST_HOST:$AIOSMTPD_PORT"
  echo "$TEST_HOST:$SLOW_PORT"
  echo "$closed"
} >"$TEST_TMP/fleet"

# --- all at once: about 1.5 s for six stalls of 1.5 s each.
started=$(date +%s.%N)
nagios 2 --servers "$TEST_TMP/fleet" -H "$TEST_HOST:$POSTFIX_PORT" -t 1.5
elapsed=$(seconds_since "$started")
python3 -c "import sys; sys.exit(0 if $elapsed < 4 else 1)" || fail "11 servers took ${elapsed}s: not concurrent"
# Postfix is in the file and on the command line: checked once.
assert_text_contains "11 servers: 7 CRITICAL, 4 OK"
assert_eq 11 "$(grep -c $'^long\t' "$NAGIOS")" "long-output lines (one per server)"
for stall in "${stalls[@]}"; do
  grep -qF $'long\t'"CRITICAL - $stall: ehlo: no complete reply within 1." "$NAGIOS" ||
    fail "no CRITICAL line for $stall: $(cat "$LAST_STDOUT")"
done
grep -qF $'long\t'"CRITICAL - $closed: connect:" "$NAGIOS" || fail "no CRITICAL line for $closed"
grep -qF $'long\t'"OK - $TEST_HOST:$EXIM_PORT: 220 exim.testbed.local" "$NAGIOS" || fail "no OK line for Exim"
# Labels carry the server, so no two repeat (the parser refuses repeats).
[[ -n $(nagios_field perf "$TEST_HOST:$EXIM_PORT banner") ]] || fail "no perfdata for Exim's banner"
[[ -n $(nagios_field perf "${stalls[0]} ehlo") ]] || fail "no perfdata for the first stall's ehlo"

# --- the worst state wins: OK and WARNING give WARNING (1).
nagios 1 -H "$TEST_HOST:$POSTFIX_PORT" -H "$TEST_HOST:$SLOW_PORT" -w banner=0.5
assert_text_contains "2 servers: 1 WARNING, 1 OK"
grep -qF $'long\t'"WARNING - $TEST_HOST:$SLOW_PORT: banner took" "$NAGIOS" || fail "no WARNING line"

# --- --parallel 2: three rounds of two 1 s checks.
stall_args=()
for stall in "${stalls[@]}"; do stall_args+=(-H "$stall"); done
started=$(date +%s.%N)
nagios 2 "${stall_args[@]}" --parallel 2 -t 1
elapsed=$(seconds_since "$started")
python3 -c "import sys; sys.exit(0 if 2.8 <= $elapsed < 6 else 1)" || fail "--parallel 2 for 6 checks of 1 s took ${elapsed}s"

# --- JSON: one object per server, in order.
assert_exit 2 "$SMTPX" check --servers "$TEST_TMP/fleet" -t 1.5 --format json
python3 - "$LAST_STDOUT" "$TEST_TMP/fleet" <<'PY' || fail "JSON of the fleet: $(head -c 2000 "$LAST_STDOUT")"
import json, sys
results = json.load(open(sys.argv[1]))
wanted = [l.strip() for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")]
assert [r["target"] for r in results] == wanted, [r["target"] for r in results]
assert sum(r["state"] == "CRITICAL" for r in results) == 7
PY
echo "check_fleet: ok"
