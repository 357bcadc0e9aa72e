#!/usr/bin/env bash
# The Prometheus and JSON reports of smtpx check against real servers: the Prometheus text is read
# by a strict parser (check_promparse.py: HELP/TYPE once per family and before its samples,
# label escaping, value syntax), and carries the probe_* families; the JSON has one object per
# server with every phase, reply and capability.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/check_lib.sh"

POSTFIX=$TEST_HOST:$POSTFIX_PORT
EXIM=$TEST_HOST:$EXIM_PORT

# --- the readers themselves refuse what they must (else the checks below could not fail).
refuse() {
  local parser=$1 text=$2
  shift 2
  if printf '%b' "$text" | python3 "$parser" "$@" >/dev/null 2>&1; then fail "$(basename "$parser") took: $text"; fi
}
for bad in 'a 1\n' '# TYPE a gauge\na 1\n# TYPE a gauge\n' '# TYPE a gauge\na{x="1",x="2"} 1\n' \
  '# TYPE a gauge\na{x="\\t"} 1\n' '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n' '# TYPE a gauge\na one\n' \
  '# TYPE a counter\na 1\n' '# TYPE a gauge\na 1' '# TYPE a gauge\na{__x="1"} 1\n' '# TYPE a gauge\na 1\na 2\n'; do
  refuse "$CHECK_PARSE_PROM" "$bad"
done
for bad in "SMTP OK - x | 'a'=1s;;;0\n:1" "SMTP OK - x | a b=1s\n:0" "SMTP OK - x | 'a'=1sec\n:0" \
  "SMTP OK - x | 'a'=1s;10:5\n:0" "SMTP OK - x | 'a'=1s 'a'=2s\n:0" "SMTP FINE - x\n:0" "SMTP OK - x | 'a'=Us\n:0"; do
  refuse "$CHECK_PARSE_NAGIOS" "${bad%:*}" "${bad##*:}"
done

# --- one server: no target label; every phase timed; the last reply is QUIT's 221.
assert_exit 0 "$SMTPX" check -H "$POSTFIX" --stop-after rcpt --to probe@example.com --format prometheus
prom_parse "$LAST_STDOUT"
assert_sample 'probe_success 1'
assert_sample 'probe_smtp_status_code 221'
assert_sample 'probe_smtp_enhanced_status_code{code="2.0.0"} 1'
assert_sample 'probe_smtp_state 0'
for phase in dns connect banner ehlo mail rcpt quit; do
  assert_sample "probe_failed_at_step{step=\"$phase\"} 0"
  value=$(sample_value "probe_phase_duration_seconds{phase=\"$phase\"}")
  python3 -c "import sys; sys.exit(0 if 0 <= float(sys.argv[1]) < 5 else 1)" "$value" ||
    fail "phase $phase took '$value' s"
done
total=$(sample_value probe_duration_seconds)
python3 -c "import sys; sys.exit(0 if 0 < float(sys.argv[1]) < 5 else 1)" "$total" || fail "probe_duration_seconds '$total'"
families=$(sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$LAST_STDOUT" | tr '\n' ' ')
assert_eq "probe_success probe_duration_seconds probe_phase_duration_seconds probe_failed_at_step probe_smtp_status_code probe_smtp_enhanced_status_code probe_smtp_state " \
  "$families" "families"

# --- thresholds do not change probe_success, only probe_smtp_state.
assert_exit 1 "$SMTPX" check -H "$TEST_HOST:$SLOW_PORT" -w banner=0.5 --format prometheus
prom_parse "$LAST_STDOUT"
assert_sample 'probe_success 1'
assert_sample 'probe_smtp_state 1'

# --- several servers: each family once, every sample labelled with its target.
closed=127.0.0.1:$(closed_port)
assert_exit 2 "$SMTPX" check -H "$POSTFIX" -H "$EXIM" -H "$closed" --format prometheus
prom_parse "$LAST_STDOUT"
assert_sample "probe_success{target=\"$POSTFIX\"} 1"
assert_sample "probe_success{target=\"$EXIM\"} 1"
assert_sample "probe_success{target=\"$closed\"} 0"
assert_sample "probe_failed_at_step{step=\"connect\",target=\"$closed\"} 1"
assert_sample "probe_smtp_state{target=\"$closed\"} 2"
[[ $(grep -c '^# TYPE probe_success ' "$LAST_STDOUT") == 1 ]] || fail "probe_success typed more than once"
if grep -v '^#' "$LAST_STDOUT" | grep -v 'target="'; then fail "a sample without a target label"; fi

# --- JSON: an array with one object per server, in the order given.
assert_exit 2 "$SMTPX" check -H "$EXIM" -H "$closed" --require PIPELINING --format json
python3 - "$LAST_STDOUT" "$EXIM" "$closed" <<'PY' || fail "JSON report: $(cat "$LAST_STDOUT")"
import json, sys
exim, closed = json.load(open(sys.argv[1]))
assert exim["target"] == sys.argv[2] and closed["target"] == sys.argv[3]
assert exim["state"] == "OK" and exim["exit_code"] == 0 and exim["success"] is True and exim["problems"] == []
names = [p["name"] for p in exim["phases"]]
assert names == ["dns", "connect", "banner", "ehlo", "quit"], names
banner = exim["phases"][2]
assert banner["reached"] and banner["reply"]["code"] == 220 and banner["reply"]["lines"][0].startswith("220 exim.testbed.local")
ehlo = exim["phases"][3]["reply"]
assert ehlo["code"] == 250 and any(line.endswith("PIPELINING") for line in ehlo["lines"]), ehlo
assert "PIPELINING" in exim["capabilities"] and "AUTH PLAIN LOGIN" in exim["capabilities"], exim["capabilities"]
assert exim["last_reply"]["code"] == 221
assert closed["state"] == "CRITICAL" and closed["failed_step"] == "connect" and closed["error_kind"] == "connect"
assert "Connection refused" in closed["reason"] and closed["problems"][0].startswith("connect: ")
assert [p["reached"] for p in closed["phases"]] == [True, True, False, False, False]
assert "seconds" not in closed["phases"][2]
PY
echo "check_formats: ok"
