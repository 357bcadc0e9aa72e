#!/usr/bin/env bash
# Lua-level unit tests of the stdlib (tests/lua/test_*.lua): each runs through `smtpx run`,
# prints "N checks, F failures" last and returns F; it needs no server. Also run with --sandbox, where the
# helpers must work without os.getenv or io.open.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

shopt -s nullglob
tests=("$SMTPX_ROOT"/tests/lua/test_*.lua)
((${#tests[@]} > 0)) || fail "no Lua tests in $SMTPX_ROOT/tests/lua"
for test in "${tests[@]}"; do
  for mode in "" --sandbox; do
    assert_exit 0 "$SMTPX" run $mode "$test"
    grep -q ' checks, 0 failures$' "$LAST_STDOUT" || fail "$test $mode: no summary line: $(cat "$LAST_STDOUT")"
  done
done
echo "lua_units: ok (${#tests[@]} files)"
