#!/usr/bin/env bash
# The failures a health check exists for give CRITICAL with a reason naming the phase: a stopped
# server (a closed port), a server that stalls after its banner, a 554 banner, a 451 to MAIL, a
# name that does not resolve, a check that runs out of its time. The phase also shows in the
# Prometheus (probe_failed_at_step) and JSON (failed_step) reports.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/check_lib.sh"

# seconds_since START: wall-clock seconds since START (date +%s.%N), two decimals.
seconds_since() {
  python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 2))" "$1"
}

# --- a stopped server: the port is closed.
port=$(closed_port)
nagios 2 -H "127.0.0.1:$port"
assert_state CRITICAL
assert_text_contains "127.0.0.1:$port: connect: cannot connect: 127.0.0.1:$port: Connection refused"
assert_perf banner U - -
assert_exit 2 "$SMTPX" check -H "127.0.0.1:$port" --format prometheus
prom_parse "$LAST_STDOUT"
assert_sample 'probe_success 0'
assert_sample 'probe_failed_at_step{step="connect"} 1'
assert_sample 'probe_failed_at_step{step="banner"} 0'
assert_sample 'probe_smtp_state 2'

# --- a server that stalls after its banner: EHLO gets no answer within the check's time.
start_scripted stall
started=$(date +%s.%N)
nagios 2 -H "127.0.0.1:$SCRIPTED_PORT" -t 2
elapsed=$(seconds_since "$started")
assert_text_contains "ehlo: no complete reply within"
python3 -c "import sys; sys.exit(0 if 1.8 <= $elapsed < 3.5 else 1)" || fail "-t 2 took ${elapsed}s"
assert_exit 2 "$SMTPX" check -H "127.0.0.1:$SCRIPTED_PORT" -t 1 --format json
python3 - "$LAST_STDOUT" <<'PY' || fail "JSON of the stalled check: $(cat "$LAST_STDOUT")"
import json, sys
[result] = json.load(open(sys.argv[1]))
assert result["state"] == "CRITICAL" and result["exit_code"] == 2 and result["success"] is False
assert result["failed_step"] == "ehlo" and result["error_kind"] == "timeout", result
ehlo = [p for p in result["phases"] if p["name"] == "ehlo"][0]
assert ehlo["reached"] and 0.8 < ehlo["seconds"] < 2, ehlo
assert result["last_reply"]["code"] == 220
PY

# --- a 554 banner: the server refuses the session.
start_scripted banner554
nagios 2 -H "127.0.0.1:$SCRIPTED_PORT"
assert_text_contains "banner: the server did not greet with 220"
assert_text_contains "554 5.3.2 scripted.testbed.local not accepting mail"
assert_exit 2 "$SMTPX" check -H "127.0.0.1:$SCRIPTED_PORT" --format prometheus
prom_parse "$LAST_STDOUT"
assert_sample 'probe_failed_at_step{step="banner"} 1'
assert_sample 'probe_smtp_status_code 554'
assert_sample 'probe_smtp_enhanced_status_code{code="5.3.2"} 1'

# --- a temporary failure at MAIL.
start_scripted tempfail
nagios 2 -H "127.0.0.1:$SCRIPTED_PORT" --stop-after mail
assert_text_contains "mail: the sender <> was refused; the server said: 451 4.3.0 try again later"

# --- a name that does not resolve.
nagios 2 -H "no-such-host.invalid:25"
assert_text_contains "dns: cannot resolve host name 'no-such-host.invalid'"
assert_perf connect U - -

# --- the time is for the whole check: the slow banner (1 s) does not fit in 0.5 s.
started=$(date +%s.%N)
nagios 2 -H "$TEST_HOST:$SLOW_PORT" -t 0.5
assert_text_contains "banner: no complete reply within 0."
elapsed=$(seconds_since "$started")
python3 -c "import sys; sys.exit(0 if $elapsed < 1.5 else 1)" || fail "-t 0.5 took ${elapsed}s"
echo "check_failures: ok"
