#!/usr/bin/env bash
# The benchmark in one command: installs what it needs (setup.sh, plus valgrind for the
# instruction counts), builds, and runs bench.py; arguments go to bench.py.
#   bash bench/run.sh                      # full run, table on stdout and in bench/last-run.md
#   bash bench/run.sh --smoke              # tiny workloads (the test suite runs this)
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO_ROOT/build}
export BUILD_DIR
bash "$REPO_ROOT/.ci/setup.sh"
if ! command -v valgrind >/dev/null; then
  if (( EUID == 0 )); then apt-get install -y -qq valgrind; else sudo apt-get install -y -qq valgrind; fi
fi
# 10,000 sessions need 10,000 descriptors in smtpx and in the holding server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec /usr/bin/python3 "$REPO_ROOT/bench/bench.py" --smtpx "$BUILD_DIR/smtpx" --markdown "$REPO_ROOT/bench/last-run.md" "$@"
