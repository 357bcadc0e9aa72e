#!/usr/bin/env bash
# session:expect's matching and branches against a real Postfix (tests/lua/expect_features.lua).
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
"$SMTPX" run tests/lua/expect_features.lua --server "127.0.0.1:$POSTFIX_PORT" || fail "expect_features.lua failed"
echo "core_expect: ok"
