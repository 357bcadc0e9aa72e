#!/usr/bin/env bash
# Bad scripts: syntax errors, runtime errors in the script, in coroutines it makes, in expect
# branch functions and session:on handlers, endless loops (the busy limit, exit 10, even when the
# script catches that error with pcall), error values that cannot be shown, and exit codes out of
# range. Each ends with its documented exit code and a message naming the file and line, in time.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_baseline_rss

# script NAME: writes stdin to $TEST_TMP/NAME.lua.
script() { cat >"$TEST_TMP/$1.lua"; }
run_script() {  # run_script EXIT SECONDS NAME [ARGS...]
  local expected=$1 seconds=$2 name=$3
  shift 3
  run_bounded "$expected" "$seconds" "$SMTPX" run "$TEST_TMP/$name.lua" --timeout 1 --busy-limit 0.5 \
    --server "127.0.0.1:$POSTFIX_PORT" "$@"
}

printf 'local s = smtp.connect(server)\nif then\n' | script syntax
run_script 3 0 syntax
assert_contains "$LAST_STDERR" "syntax.lua:2: unexpected symbol near 'then'"

printf 'local x = nil\nlocal y = x.field\n' | script runtime
run_script 3 0 runtime
assert_contains "$LAST_STDERR" "runtime.lua:2: attempt to index a nil value (local 'x')"

script coroutine <<'LUA'
local co = coroutine.wrap(function()
  coroutine.yield(1)
  error("failed inside a coroutine")
end)
co()
co()
LUA
run_script 3 0 coroutine
assert_contains "$LAST_STDERR" "coroutine.lua:3: failed inside a coroutine"

# Waiting (expect, connect, sleep) from a coroutine the script made cannot work: a clear error.
printf 'coroutine.wrap(function() smtp.sleep(0.1) end)()\n' | script wait_in_coroutine
run_script 3 0 wait_in_coroutine
assert_contains "$LAST_STDERR" "cannot be made from a coroutine the script created"

# A task's stack is reserved address space (8 MiB each): past `ulimit -v`, smtp.spawn fails with
# the limit's exit code and says what ran out, instead of crashing. Not under AddressSanitizer,
# which cannot run at all under an address-space limit.
# (ldd's output captured whole: `ldd | grep -q` under pipefail fails when grep stops reading early.)
if [[ "$(ldd "$SMTPX")" != *libasan* ]]; then
  script many_tasks <<'LUA'
local tasks = {}
for i = 1, 1000 do tasks[i] = smtp.spawn(function() smtp.sleep(0.01) return i end) end
for i = 1, #tasks do assert(smtp.join(tasks[i]) == i) end
LUA
  run_bounded 10 2 bash -c 'ulimit -v 1048576 && exec "$@"' limited "$SMTPX" run "$TEST_TMP/many_tasks.lua" --quiet
  assert_contains "$LAST_STDERR" "many_tasks.lua:2: cannot reserve a stack for one more task"
  # Without the limit, the same thousand tasks run, each on its own stack.
  run_bounded 0 5 "$SMTPX" run "$TEST_TMP/many_tasks.lua" --quiet
fi

script branch <<'LUA'
local s = smtp.connect(server)
s:expect {
  { 220, function(reply) return reply.no_such_field.x end },
}
LUA
run_script 3 0 branch
assert_contains "$LAST_STDERR" "branch.lua:3: attempt to index a nil value (field 'no_such_field')"

script handler <<'LUA'
local s = smtp.connect(server)
s:on(220, function() error("the handler failed") end)
s:expect(220)
LUA
run_script 3 0 handler
assert_contains "$LAST_STDERR" "handler.lua:2: the handler failed"

script timeout_branch <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:expect { { 250, function() end }, timeout = function() error("the timeout branch failed") end }
LUA
run_script 3 1 timeout_branch --timeout 0.3
assert_contains "$LAST_STDERR" "timeout_branch.lua:3: the timeout branch failed"

# Endless loops stop at the busy limit (0.5 s here) with exit 10; the event loop is not held.
printf 'local n = 0\nwhile true do n = n + 1 end\n' | script loop
run_script 10 0.5 loop
assert_contains "$LAST_STDERR" "loop.lua:2: the script computed for 0.5 s without waiting on the network (limit 0.5 s: --busy-limit)"

# ... even when the script catches the error and loops on (before #7 this ran forever).
script pcall_loop <<'LUA'
while true do
  pcall(function() while true do end end)
end
LUA
run_script 10 0.5 pcall_loop
assert_contains "$LAST_STDERR" "pcall_loop.lua:"
assert_contains "$LAST_STDERR" "without waiting on the network"

# ... and in a coroutine the script made, caught in the task that resumed it.
printf 'while true do pcall(coroutine.wrap(function() while true do end end)) end\n' | script coroutine_loop
run_script 10 0.5 coroutine_loop

# ... and with a session open (it is closed as the run ends).
printf 'local s = smtp.connect(server)\ns:expect(220)\nwhile true do end\n' | script loop_after_connect
run_script 10 0.5 loop_after_connect

# Error values whose __tostring fails or loops: a message, not a crash (before #7: abort).
printf 'error(setmetatable({}, { __tostring = function() error("boom") end }))\n' | script bad_tostring
run_script 3 0 bad_tostring
assert_contains "$LAST_STDERR" "script raised an error value that cannot be shown"
printf 'error(setmetatable({}, { __tostring = function() while true do end end }))\n' | script looping_tostring
run_script 3 0.5 looping_tostring
assert_contains "$LAST_STDERR" "script raised an error value that cannot be shown"
printf 'error({})\n' | script table_error
run_script 3 0 table_error
assert_contains "$LAST_STDERR" "script raised a non-string error: table: "

# Exit codes: 0-255 are the script's; anything else would wrap (256 -> 0), so it is an error.
printf 'return 42\n' | script return42
run_script 42 0 return42
for code in 256 -1 4294967297; do
  printf 'return %s\n' "$code" | script "return_$code"
  run_script 3 0 "return_$code"
  assert_contains "$LAST_STDERR" "the script returned $code, not an exit code (0-255)"
done

# Lua's own stack limit (a million slots, about 100 MB) ends an endless recursion.
printf 'local function f() return f() + 1 end\nf()\n' | script recursion
HOSTILE_RSS_MARGIN_MB=$((HOSTILE_RSS_MARGIN_MB + 256)) run_script 3 0 recursion --busy-limit 10
assert_contains "$LAST_STDERR" "stack overflow"
echo "hostile_scripts: ok"
