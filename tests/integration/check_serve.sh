#!/usr/bin/env bash
# smtpx serve, the Prometheus exporter: /probe answers in the Prometheus text format (read by a
# strict parser) with the modules of a config file, probes run concurrently, Prometheus's scrape
# timeout bounds a probe, bad requests get a 400 with the reason (and the exporter lives on),
# /metrics counts what it did, and SIGTERM stops it.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/check_lib.sh"

POSTFIX=$TEST_HOST:$POSTFIX_PORT

cat >"$TEST_TMP/serve.json" <<EOF_JSON
{"modules": {
  "banner":  {"stop-after": "banner", "expect-banner": "ESMTP"},
  "rcpt":    {"stop-after": "rcpt", "to": "probe@example.com", "require": ["PIPELINING"], "warning": ["banner=0.5"]},
  "auth":    {"auth-user": "$TEST_USER", "auth-password": "$TEST_PASS", "require": "AUTH PLAIN"},
  "quick":   {"timeout": 1}
}}
EOF_JSON

# --- bad configurations are refused at start, naming the module and option.
printf '{"modules": {"x": {"stop-after": "never"}}}' >"$TEST_TMP/bad.json"
assert_exit 2 "$SMTPX" serve --config "$TEST_TMP/bad.json"
assert_contains "$LAST_STDERR" "module 'x': --stop-after takes"
printf '{"modules": {"x": {"server": "a:25"}}}' >"$TEST_TMP/bad.json"
assert_exit 2 "$SMTPX" serve --config "$TEST_TMP/bad.json"
assert_contains "$LAST_STDERR" "'server' cannot be set in a module"
printf '{"modules": ' >"$TEST_TMP/bad.json"
assert_exit 2 "$SMTPX" serve --config "$TEST_TMP/bad.json"
assert_contains "$LAST_STDERR" "not valid JSON"

"$SMTPX" serve --listen 127.0.0.1:0 --config "$TEST_TMP/serve.json" --max-concurrent 8 -v 2>"$TEST_TMP/serve.log" &
serve_pid=$!
CHECK_PIDS+=("$serve_pid")
for _ in $(seq 100); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$TEST_TMP/serve.log")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || fail "smtpx serve did not start: $(cat "$TEST_TMP/serve.log")"
assert_contains "$TEST_TMP/serve.log" "(modules: auth, banner, default, quick, rcpt)"
BASE=http://127.0.0.1:$port

# get PATH [CURL OPTIONS...]: the body in $TEST_TMP/body, the status code in $STATUS.
get() {
  local path=$1
  shift
  STATUS=$(curl -sS -o "$TEST_TMP/body" -w '%{http_code}' "$@" "$BASE$path") || fail "curl $path failed"
}

# --- probes with modules, each read strictly.
get "/probe?target=$POSTFIX&module=rcpt"
assert_eq 200 "$STATUS" "status of a probe"
prom_parse "$TEST_TMP/body"
assert_sample 'probe_success 1'
assert_sample 'probe_failed_at_step{step="rcpt"} 0'
assert_sample 'probe_smtp_status_code 221'
[[ -n $(sample_value 'probe_phase_duration_seconds{phase="rcpt"}') ]] || fail "no rcpt phase in the probe"
get "/probe?target=$TEST_HOST:$AIOSMTPD_PORT&module=auth"
prom_parse "$TEST_TMP/body"
assert_sample 'probe_success 1'
[[ -n $(sample_value 'probe_phase_duration_seconds{phase="auth"}') ]] || fail "no auth phase"
get "/probe?target=$TEST_HOST:$EXIM_PORT"
prom_parse "$TEST_TMP/body"
assert_sample 'probe_success 1'
assert_sample 'probe_failed_at_step{step="ehlo"} 0'
get "/probe?target=127.0.0.1:$(closed_port)&module=banner"
assert_eq 200 "$STATUS" "a failed probe is still an answer"
prom_parse "$TEST_TMP/body"
assert_sample 'probe_success 0'
assert_sample 'probe_failed_at_step{step="connect"} 1'

# --- the scrape timeout bounds a probe: a stalling server and a 2 s scrape timeout take ~1.5 s
# (the module's own timeout, 10 s, would not answer before Prometheus gives up).
start_scripted stall
started=$(date +%s.%N)
get "/probe?target=127.0.0.1:$SCRIPTED_PORT" -H 'X-Prometheus-Scrape-Timeout-Seconds: 2'
elapsed=$(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 2))" "$started")
python3 -c "import sys; sys.exit(0 if 1.3 <= $elapsed < 3 else 1)" || fail "a 2 s scrape timeout gave a ${elapsed}s probe"
prom_parse "$TEST_TMP/body"
assert_sample 'probe_failed_at_step{step="ehlo"} 1'

# --- concurrent probes: six stalls of 1 s (module quick) at once take about 1 s, not 6.
started=$(date +%s.%N)
curls=()
for i in 1 2 3 4 5 6; do
  curl -sS -o "$TEST_TMP/concurrent.$i" "$BASE/probe?target=127.0.0.1:$SCRIPTED_PORT&module=quick" &
  curls+=($!)
done
wait "${curls[@]}"
elapsed=$(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 2))" "$started")
python3 -c "import sys; sys.exit(0 if $elapsed < 3 else 1)" || fail "six concurrent probes took ${elapsed}s"
for i in 1 2 3 4 5 6; do
  prom_parse "$TEST_TMP/concurrent.$i"
  assert_sample 'probe_success 0'
done

# --- bad requests: 400 with the reason, and the exporter answers on.
get "/probe"
assert_eq 400 "$STATUS" "no target"
assert_contains "$TEST_TMP/body" "no target"
get "/probe?target=$POSTFIX&module=nope"
assert_eq 400 "$STATUS" "unknown module"
assert_contains "$TEST_TMP/body" "no module 'nope' (modules: auth, banner, default, quick, rcpt)"
get "/probe?target=host:99999"
assert_eq 400 "$STATUS" "bad port"
assert_contains "$TEST_TMP/body" "bad target"
get "/probe?target=%5B%3A%3A1"
assert_eq 400 "$STATUS" "unbalanced bracket"
get "/probe?target=a:25&target=b:25"
assert_eq 400 "$STATUS" "two targets"
assert_contains "$TEST_TMP/body" "'target' is given twice"
get "/probe?target=%zz"
assert_eq 400 "$STATUS" "bad escape"
get "/nowhere"
assert_eq 404 "$STATUS" "unknown path"
get "/probe?target=$POSTFIX" -X POST
assert_eq 405 "$STATUS" "POST"
printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; cat <&3" >/dev/null || true
get "/probe?target=$POSTFIX&module=banner"
assert_eq 200 "$STATUS" "a probe after bad requests"
prom_parse "$TEST_TMP/body"
assert_sample 'probe_success 1'

# --- /metrics: the exporter's own counters.
get "/metrics"
assert_eq 200 "$STATUS" "/metrics"
prom_parse "$TEST_TMP/body"
assert_sample 'smtpx_exporter_probes_total{module="rcpt",result="success"} 1'
assert_sample 'smtpx_exporter_probes_total{module="default",result="failure"} 1'
assert_sample 'smtpx_exporter_probes_total{module="quick",result="failure"} 6'
assert_sample 'smtpx_exporter_probes_total{module="banner",result="success"} 1'
assert_sample 'smtpx_exporter_probes_in_flight 0'
assert_sample 'smtpx_exporter_bad_requests_total 8'
get "/"
assert_contains "$TEST_TMP/body" "/probe?target=HOST[:PORT]&module=NAME"

# --- SIGTERM stops it.
kill -TERM "$serve_pid"
for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$serve_pid" 2>/dev/null; then fail "smtpx serve still runs after SIGTERM"; fi
wait "$serve_pid" || fail "smtpx serve exited with $? after SIGTERM"
assert_contains "$TEST_TMP/serve.log" "stopping"
assert_contains "$TEST_TMP/serve.log" "probe $POSTFIX module=rcpt: success"
echo "check_serve: ok"
