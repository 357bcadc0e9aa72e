#!/usr/bin/env bash
# --sandbox: a script cannot run programs, write (or open) files, load binary chunks, load C code
# or reach the debug library (whose upvalue access found the unrestricted `load` before #7). Each
# attempt is a script error (exit 3) naming the line; without --sandbox the same script works.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_baseline_rss

# refused CODE TEXT: in the sandbox, CODE fails at its line 1 with a message containing TEXT.
refused() {
  printf '%s\n' "$1" >"$TEST_TMP/attempt.lua"
  run_bounded 3 0 "$SMTPX" run "$TEST_TMP/attempt.lua" --sandbox
  assert_contains "$LAST_STDERR" "attempt.lua:1: $2"
}
refused 'os.execute("touch '"$TEST_TMP"'/pwned")' "attempt to call a nil value (field 'execute')"
refused 'io.popen("id")' "attempt to call a nil value (field 'popen')"
refused 'io.open("'"$TEST_TMP"'/pwned", "w")' "attempt to call a nil value (field 'open')"
refused 'io.output("'"$TEST_TMP"'/pwned")' "attempt to call a nil value (field 'output')"
refused 'for l in io.lines("/etc/passwd") do end' "attempt to call a nil value (field 'lines')"
refused 'os.remove("'"$TEST_TMP"'/ok.lua")' "attempt to call a nil value (field 'remove')"
refused 'os.rename("'"$TEST_TMP"'/ok.lua", "'"$TEST_TMP"'/pwned")' "attempt to call a nil value (field 'rename')"
refused 'os.exit(0)' "attempt to call a nil value (field 'exit')"
refused 'dofile("/etc/passwd")' "attempt to call a nil value (global 'dofile')"
refused 'loadfile("/etc/passwd")' "attempt to call a nil value (global 'loadfile')"
refused 'assert(load(string.dump(function() end)))' "attempt to load a binary chunk (mode is 't')"
refused 'assert(load(string.dump(function() end), "x", "b"))' "attempt to load a binary chunk (mode is 't')"
refused 'package.loadlib("libc.so.6", "system")' "attempt to call a nil value (field 'loadlib')"
refused 'require "socket.core"' "module 'socket.core' not found"
refused 'debug.getupvalue(load, 1)' "attempt to index a nil value (global 'debug')"
refused 'require "debug"' "module 'debug' not found"
[[ ! -e $TEST_TMP/pwned ]] || fail "a sandboxed script wrote a file"

# A precompiled script file is refused as a whole in the sandbox.
printf 'io.open("%s", "wb"):write(string.dump(function() print("compiled") end)):close()\n' \
  "$TEST_TMP/compiled.luac" >"$TEST_TMP/compile.lua"
"$SMTPX" run "$TEST_TMP/compile.lua" || fail "compiling outside the sandbox failed"
run_bounded 0 0 "$SMTPX" run "$TEST_TMP/compiled.luac"
assert_contains "$LAST_STDOUT" "compiled"
run_bounded 3 0 "$SMTPX" run "$TEST_TMP/compiled.luac" --sandbox
assert_contains "$LAST_STDERR" "attempt to load a binary chunk (mode is 't')"

# Text chunks still load, and the sandbox leaves the smtp library whole.
printf 'assert(load("return 1 + 1"))()\nassert(smtp.base64_encode("x") == "eA==")\nprint("fine")\n' >"$TEST_TMP/fine.lua"
run_bounded 0 0 "$SMTPX" run "$TEST_TMP/fine.lua" --sandbox
assert_contains "$LAST_STDOUT" "fine"
# Without --sandbox the same calls work (so the checks above can fail).
printf 'io.open("%s", "w"):close()\nassert(debug.getupvalue)\n' "$TEST_TMP/written" >"$TEST_TMP/free.lua"
run_bounded 0 0 "$SMTPX" run "$TEST_TMP/free.lua"
[[ -e $TEST_TMP/written ]] || fail "the unsandboxed script could not write"

# C modules: outside the sandbox one loads, finding the Lua API in smtpx (linked statically, it
# exports it), and its errors are Lua errors; in the sandbox the same require is refused.
mkdir -p "$TEST_TMP/cmod"
cat >"$TEST_TMP/cmod/twice.c" <<'C'
#include <lauxlib.h>
static int twice(lua_State* L) { lua_pushinteger(L, 2 * luaL_checkinteger(L, 1)); return 1; }
int luaopen_twice(lua_State* L) { lua_newtable(L); lua_pushcfunction(L, twice); lua_setfield(L, -2, "twice"); return 1; }
C
cc -shared -fPIC -I/usr/include/lua5.4 -o "$TEST_TMP/cmod/twice.so" "$TEST_TMP/cmod/twice.c" ||
  fail "cannot build the C module (cc and liblua5.4-dev)"
cat >"$TEST_TMP/cmodule.lua" <<LUA
package.cpath = "$TEST_TMP/cmod/?.so"
local twice = require("twice").twice
assert(twice(21) == 42)
local ok, message = pcall(twice, "x")
assert(not ok and message:find("number expected"), message)
print("C module ok")
LUA
run_bounded 0 0 "$SMTPX" run "$TEST_TMP/cmodule.lua"
assert_contains "$LAST_STDOUT" "C module ok"
run_bounded 3 0 "$SMTPX" run "$TEST_TMP/cmodule.lua" --sandbox
assert_contains "$LAST_STDERR" "module 'twice' not found"
echo "hostile_sandbox: ok"
