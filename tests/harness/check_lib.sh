# shellcheck shell=bash
# Helpers for the health-check tests (tests/integration/check_*.sh); source after lib.sh (and
# after tls_lib.sh when a test needs both: this file's exit trap also stops its TLS servers).

CHECK_PARSE_NAGIOS=$SMTPX_ROOT/tests/integration/check_nagiosparse.py
CHECK_PARSE_PROM=$SMTPX_ROOT/tests/integration/check_promparse.py
CHECK_PIDS=()

check_cleanup() {
  local pid
  for pid in "${CHECK_PIDS[@]}" "${TLS_SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$TEST_TMP"
}
trap check_cleanup EXIT

# A TCP port on 127.0.0.1 that nothing listens on (bound and released: a "stopped server").
closed_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_scripted BEHAVIOUR: runs tests/harness/scripted_smtp_server.py BEHAVIOUR (banner554,
# stall, tempfail) on a free port and sets SCRIPTED_PORT. It is stopped on exit.
start_scripted() {
  local out=$TEST_TMP/scripted-$1-${#CHECK_PIDS[@]}.port i
  python3 "$SMTPX_ROOT/tests/harness/scripted_smtp_server.py" "$1" >"$out" 2>"$out.err" &
  CHECK_PIDS+=($!)
  for ((i = 0; i < 100; i++)); do
    SCRIPTED_PORT=$(head -n 1 "$out" 2>/dev/null || true)
    [[ -n $SCRIPTED_PORT ]] && return 0
    sleep 0.05
  done
  fail "scripted_smtp_server.py $1 did not start: $(cat "$out.err")"
}

# nagios EXIT ARGS...: runs `smtpx check ARGS`, wants exit code EXIT, and reads the output
# strictly (check_nagiosparse.py) into $NAGIOS: tab-separated lines "state S", "text T",
# "perf LABEL VALUE UOM WARN CRIT MIN MAX", "long LINE".
NAGIOS=$TEST_TMP/nagios.parsed
nagios() {
  local expected=$1
  shift
  assert_exit "$expected" "$SMTPX" check "$@"
  python3 "$CHECK_PARSE_NAGIOS" "$expected" "$LAST_STDOUT" >"$NAGIOS" ||
    fail "smtpx check $* wrote output a monitoring system cannot read: $(cat "$LAST_STDOUT")"
}

# nagios_field KIND [LABEL]: the text after "state"/"text", or the fields of perf item LABEL
# (tab-separated: VALUE UOM WARN CRIT MIN MAX).
nagios_field() {
  if [[ $1 == perf ]]; then
    awk -F'\t' -v OFS='\t' -v label="$2" '$1 == "perf" && $2 == label { print $3, $4, $5, $6, $7, $8; exit }' "$NAGIOS"
  else
    awk -F'\t' -v kind="$1" '$1 == kind { print $2; exit }' "$NAGIOS"
  fi
}

# assert_state STATE: the status word of the last `nagios` run.
assert_state() {
  assert_eq "$1" "$(nagios_field state)" "status word (output: $(head -n 1 "$LAST_STDOUT"))"
}

# assert_text_contains TEXT: the status text of the last `nagios` run contains TEXT.
assert_text_contains() {
  [[ $(nagios_field text) == *"$1"* ]] || fail "status text '$(nagios_field text)' lacks '$1'"
}

# assert_perf LABEL VALUE_REGEX WARN CRIT: perf item LABEL has a value matching VALUE_REGEX
# (with its unit), and these thresholds ('-' for none).
assert_perf() {
  local fields value uom warn crit
  fields=$(nagios_field perf "$1")
  [[ -n $fields ]] || fail "no perfdata '$1' in: $(head -n 1 "$LAST_STDOUT")"
  IFS=$'\t' read -r value uom warn crit _ <<<"$fields"
  [[ $uom == - ]] && uom=
  [[ $value$uom =~ ^$2$ ]] || fail "perfdata '$1': value $value$uom does not match $2"
  assert_eq "$3" "$warn" "warning threshold of '$1'"
  assert_eq "$4" "$crit" "critical threshold of '$1'"
}

# perf_labels: the perfdata labels of the last `nagios` run, comma-separated.
perf_labels() {
  awk -F'\t' '$1 == "perf" { printf "%s%s", sep, $2; sep = "," }' "$NAGIOS"
}

# prom_parse FILE: FILE read strictly as Prometheus text; the canonical samples go to
# $PROM (one per line, labels sorted).
PROM=$TEST_TMP/prom.parsed
prom_parse() {
  python3 "$CHECK_PARSE_PROM" "$1" >"$PROM" || fail "not valid Prometheus text: $1"
}

# assert_sample LINE: the canonical sample LINE (name{labels} value) is in $PROM.
assert_sample() {
  grep -qxF -- "$1" "$PROM" && return 0
  echo "---- samples ----" >&2
  cat "$PROM" >&2
  fail "no sample '$1'"
}

# sample_value NAME{LABELS}: the value of one series in $PROM.
sample_value() {
  awk -v series="$1" '{ value = $NF; sub(/ [^ ]*$/, "") } $0 == series { print value; exit }' "$PROM"
}
