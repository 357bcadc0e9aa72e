#!/usr/bin/env bash
# Builds smtpx with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# (-DSMTPX_SANITIZE=ON) into $SANITIZE_BUILD_DIR and runs the whole CTest suite with it: the unit
# tests, the fuzz corpus replays and every integration test against the real servers (which a
# CTest fixture starts and stops, as in .ci/test.sh). Fails when a test fails or when ASan/LSan
# reported anything, even in a test that expected its command to fail: those reports go to files
# ($SANITIZE_BUILD_DIR/sanitizer/*) that are printed at the end.
#
# Environment:
#   SANITIZE_BUILD_DIR  build directory (default <repo>/build-asan)
#   SANITIZE_TESTS      a ctest -R regex to run only some tests (default: all)
#   SANITIZE_REUSE_SERVERS=1  use the servers already running for $SMTPX_TEST_STATE (default
#                       /tmp/smtpx-test) instead of starting and stopping them: for a machine where
#                       someone else's tests use the fixed ports
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${SANITIZE_BUILD_DIR:-$REPO_ROOT/build-asan}
REPORTS=$BUILD_DIR/sanitizer

log() { printf '[sanitize] %s\n' "$*" >&2; }

cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja -DSMTPX_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD_DIR" -j2 >"$BUILD_DIR/build.log" || { tail -n 40 "$BUILD_DIR/build.log" >&2; exit 1; }

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
# exitcode 86: a sanitizer's report never passes for an exit code a test expects. ASan and LSan
# reports also go to files (a test may hide the output); UBSan's go to stderr and end the process.
# intercept_tls_get_addr=0: GCC 12's LeakSanitizer misreads glibc 2.36's dynamic TLS vector once
# a dlopen'ed library has thread-local storage (the TLS module and the OpenSSL it brings):
# "DTLS 6 at 0x276-0x800001378", then "Tracer caught signal 11" at exit. Without it LSan does not
# track dynamic TLS blocks; nothing of ours lives only there.
export ASAN_OPTIONS="detect_leaks=1:exitcode=86:abort_on_error=0:log_path=$REPORTS/asan:strict_string_checks=1:intercept_tls_get_addr=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86"
export LSAN_OPTIONS="exitcode=86"
# Sanitized binaries are slower, and ASan keeps freed memory in quarantine: the hostile-server
# tests' bounds on time and memory (tests/harness/hostile_lib.sh) get room for that.
export HOSTILE_TIME_MARGIN=${HOSTILE_TIME_MARGIN:-4}
export HOSTILE_RSS_MARGIN_MB=${HOSTILE_RSS_MARGIN_MB:-400}

# bench_smoke counts instructions with valgrind, which cannot run an ASan binary.
ctest_args=(--test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j2 -E bench_smoke)
[[ -n ${SANITIZE_TESTS:-} ]] && ctest_args+=(-R "$SANITIZE_TESTS")
if [[ ${SANITIZE_REUSE_SERVERS:-0} == 1 ]]; then
  state=${SMTPX_TEST_STATE:-/tmp/smtpx-test}
  [[ -r $state/servers.env ]] || { log "no servers running for $state"; exit 1; }
  # The integration tests look for the servers in $BUILD_DIR/test-state (set at configure time).
  rm -rf "$BUILD_DIR/test-state"
  ln -s "$state" "$BUILD_DIR/test-state"
  ctest_args+=(--fixture-exclude-setup servers --fixture-exclude-cleanup servers)
else
  trap 'SMTPX_TEST_STATE=$BUILD_DIR/test-state bash "$REPO_ROOT/tests/harness/servers.sh" stop all || true' EXIT
fi

status=0
ctest "${ctest_args[@]}" || status=$?
if compgen -G "$REPORTS/*" >/dev/null; then
  log "sanitizer reports:"
  for report in "$REPORTS"/*; do
    printf -- '---- %s\n' "$report" >&2
    head -n 60 "$report" >&2
  done
  status=1
fi
((status == 0)) && log "no sanitizer reports, all tests passed"
exit "$status"
