#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into $FUZZ_BUILD_DIR, and runs each for FUZZ_SECONDS, starting from
# the seed corpus in tests/fuzz/corpus/<target> (what a run finds new is kept in
# $FUZZ_BUILD_DIR/corpus/<target> for the next run). Fails when a target crashes, leaks, hangs or
# breaks one of its checks; the input that did it is left in $FUZZ_BUILD_DIR/findings/<target>/.
# Add it to tests/fuzz/regressions/<target>/ once fixed: CTest replays those on every build.
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 60)
#   FUZZ_TARGETS    which targets (default: all, e.g. "reply_parser line_reader")
#   FUZZ_JOBS       targets run at once (default 2)
#   FUZZ_BUILD_DIR  build directory (default <repo>/build-fuzz)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-2}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-$REPO_ROOT/build-fuzz}
all_targets=()
for source in "$REPO_ROOT"/tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$source" .cpp)
  all_targets+=("${name#fuzz_}")
done
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

log() { printf '[fuzz] %s\n' "$*" >&2; }

command -v clang++ >/dev/null || { log "clang++ is missing: run .ci/setup.sh"; exit 1; }
cmake -S "$REPO_ROOT" -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSMTPX_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$FUZZ_BUILD_DIR" -j2 "${targets[@]/#/tests/fuzz_}" >"$FUZZ_BUILD_DIR/build.log" ||
  { tail -n 40 "$FUZZ_BUILD_DIR/build.log" >&2; exit 1; }

# run_target NAME: one libFuzzer run; its log in $FUZZ_BUILD_DIR/logs/NAME.log.
run_target() {
  local name=$1 corpus=$FUZZ_BUILD_DIR/corpus/$1 findings=$FUZZ_BUILD_DIR/findings/$1
  mkdir -p "$corpus" "$findings" "$FUZZ_BUILD_DIR/logs"
  local seeds=("$REPO_ROOT/tests/fuzz/corpus/$name")
  [[ -d $REPO_ROOT/tests/fuzz/regressions/$name ]] && seeds+=("$REPO_ROOT/tests/fuzz/regressions/$name")
  "$FUZZ_BUILD_DIR/tests/fuzz_$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "${seeds[@]}" \
    >"$FUZZ_BUILD_DIR/logs/$name.log" 2>&1
}

failed=0
pids=()
names=()
for name in "${targets[@]}"; do
  while ((${#pids[@]} >= FUZZ_JOBS)); do
    wait "${pids[0]}" || { log "FAILED: ${names[0]} (see $FUZZ_BUILD_DIR/logs/${names[0]}.log)"; failed=1; }
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  done
  log "fuzzing $name for ${FUZZ_SECONDS}s"
  run_target "$name" &
  pids+=($!)
  names+=("$name")
done
for i in "${!pids[@]}"; do
  wait "${pids[i]}" || { log "FAILED: ${names[i]} (see $FUZZ_BUILD_DIR/logs/${names[i]}.log)"; failed=1; }
done

total=0
for name in "${targets[@]}"; do
  runs=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$FUZZ_BUILD_DIR/logs/$name.log" | grep -o '[0-9]*$' || echo 0)
  total=$((total + runs))
  printf '[fuzz] %-20s %12s executions  %s\n' "$name" "$runs" \
    "$(ls "$FUZZ_BUILD_DIR/findings/$name" 2>/dev/null | head -n 3 | tr '\n' ' ')" >&2
  if grep -aq -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:' \
    "$FUZZ_BUILD_DIR/logs/$name.log"; then
    grep -a -m 5 -E 'ERROR|runtime error|fuzz check failed' "$FUZZ_BUILD_DIR/logs/$name.log" >&2
    failed=1
  fi
done
log "$total executions in all"
exit "$failed"
