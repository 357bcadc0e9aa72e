#!/usr/bin/env bash
# The benchmark script runs end to end on tiny workloads (its figures mean nothing here): every
# tool starts, every workload completes, and the report has every row and note.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

/usr/bin/python3 "$SMTPX_ROOT/bench/bench.py" --smtpx "$SMTPX" --smoke --markdown "$TEST_TMP/bench.md" \
  > "$TEST_TMP/bench.out" 2>&1 || fail "bench.py failed: $(tail -20 "$TEST_TMP/bench.out")"
for row in "smtp-source -s 1 -d" "smtpx load |" "smtpx load --spin 0 |" "python smtplib" "smtpx load pipelining=1" \
           "smtpx load (2 threads)" "smtpx load reconnect=1"; do
  assert_contains "$TEST_TMP/bench.md" "$row"
done
assert_contains "$TEST_TMP/bench.md" "| vs smtp-source | per round |"
for note in "smtpx load over python smtplib in one session" "PIPELINING gain" "start-up" \
            "an empty main() linked to the libraries smtpx links" "linked to POCO Foundation and libstdc++ only" \
            "on smtpx's own work" "scale: 200 concurrent sessions, 0 failed" "instructions per send+expect"; do
  assert_contains "$TEST_TMP/bench.md" "$note"
done
echo "bench_smoke: ok"
