#!/usr/bin/env bash
# Demo of smtpx against a real server: sets up and builds, starts the test-bed Postfix on
# 127.0.0.1:12525, sends one message with scripts/send_plain.lua and prints the file Postfix
# delivered to the Maildir. Stops the server again on the way out.
#
# Environment: BUILD_DIR (default <repo>/build), SMTPX_TEST_STATE (default /tmp/smtpx-demo).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/build}
export BUILD_DIR
# Not the CTest state dir, so the demo never wipes a test run's mail.
export SMTPX_TEST_STATE=${SMTPX_TEST_STATE:-/tmp/smtpx-demo}
SERVERS=$REPO_ROOT/tests/harness/servers.sh

FROM=demo@testbed.local
TO=someone@example.com
SUBJECT="Hello from smtpx"
BODY="This message was sent by the smtpx demo."

stop_servers() { bash "$SERVERS" stop postfix || true; }

# Prints the first message file that appears in MAILDIR/new within 10 s.
wait_for_delivery() {
  local i file
  for ((i = 0; i < 100; i++)); do
    file=$(find "$1/new" -type f -print -quit 2>/dev/null || true)
    [[ -n $file ]] && { printf '%s\n' "$file"; return 0; }
    sleep 0.1
  done
  return 1
}

main() {
  cd "$REPO_ROOT"
  bash .ci/setup.sh
  [[ -x $BUILD_DIR/smtpx ]] || { echo "demo: no smtpx binary in $BUILD_DIR (did the build fail?)" >&2; exit 1; }

  bash "$SERVERS" start postfix
  trap stop_servers EXIT
  # shellcheck source=/dev/null
  . "$SMTPX_TEST_STATE/servers.env"

  echo "==> smtpx run scripts/send_plain.lua --server $TEST_HOST:$POSTFIX_PORT"
  "$BUILD_DIR/smtpx" run scripts/send_plain.lua --server "$TEST_HOST:$POSTFIX_PORT" \
    --set "from=$FROM" --set "to=$TO" --set "subject=$SUBJECT" --set "body=$BODY"

  local maildir=$POSTFIX_MAILDIR_ROOT/${TO#*@}/${TO%@*} file
  if ! file=$(wait_for_delivery "$maildir"); then
    echo "demo: nothing delivered to $maildir; Postfix log:" >&2
    tail -n 30 "$POSTFIX_LOG" >&2
    exit 1
  fi
  echo "==> delivered to $file"
  cat "$file"
}

main "$@"
