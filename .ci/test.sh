#!/usr/bin/env bash
# CI entry point: set up the machine, build, and run every CTest test. The integration tests
# share one set of mail servers that a CTest fixture starts (tests/harness/servers.sh start all,
# state in $BUILD_DIR/test-state) and stops again.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/build}
export BUILD_DIR

# Should ctest be interrupted before the fixture's cleanup ran, still leave no servers behind.
stop_test_servers() {
  SMTPX_TEST_STATE=$BUILD_DIR/test-state bash "$REPO_ROOT/tests/harness/servers.sh" stop all || true
}

cd "$REPO_ROOT"
bash .ci/setup.sh
trap stop_test_servers EXIT
# --no-tests=error: a tree that builds no tests must not pass as green.
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j2
