#!/usr/bin/env bash
# The command line itself: --help, --version, list, help SCRIPT, bare script names, SMTPX_PATH,
# --set parameters, --transcript/--quiet, and an installed tree (cmake --install) that finds its
# stdlib and scripts.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$SMTPX" --help > "$work/help" || fail "--help failed"
assert_contains "$work/help" "usage: smtpx COMMAND"
version=$("$SMTPX" --version)
[[ $version =~ ^smtpx\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed '$version'"
assert_exit 2 "$SMTPX"
assert_exit 2 "$SMTPX" frobnicate
assert_contains "$LAST_STDERR" "unknown command 'frobnicate'"

"$SMTPX" list > "$work/list"
assert_contains "$work/list" "send_plain"
"$SMTPX" help send_plain > "$work/send_plain.help"
assert_contains "$work/send_plain.help" "Options (--set KEY=VALUE):"

# Parameters and the script's own globals; SMTPX_PATH finds scripts and modules by bare name.
mkdir -p "$work/lib/mylib"
cat > "$work/lib/mylib/init.lua" <<'LUA'
return { greet = function(name) return "hello " .. name end }
LUA
cat > "$work/lib/echo_params.lua" <<'LUA'
--- echo_params: prints its parameters.
local mylib = require "mylib"
io.write(mylib.greet(params.who), " ", params.eq, " ", select(1, ...).who, "\n")
return tonumber(params.code)
LUA
out=$(SMTPX_PATH="$work/lib" "$SMTPX" run echo_params --set who=world --set eq=a=b --set code=0)
assert_eq "hello world a=b world" "$out"
assert_exit 17 env SMTPX_PATH="$work/lib" "$SMTPX" run echo_params --set who=x --set eq=y --set code=17

# --transcript gets everything, --quiet leaves stderr empty on success.
"$SMTPX" run tests/lua/concurrent_banner.lua --server "127.0.0.1:$POSTFIX_PORT" --quiet \
  --transcript "$work/t.log" 2> "$work/quiet.err"
[[ ! -s $work/quiet.err ]] || fail "--quiet printed: $(cat "$work/quiet.err")"
assert_contains "$work/t.log" " -> QUIT"
assert_contains "$work/t.log" "<-  221 2.0.0 Bye"
grep -q $'\x1b' "$work/t.log" && fail "colour codes in the transcript file"

# An installed tree finds its stdlib and scripts beside the binary.
cmake --install "$(dirname "$SMTPX")" --prefix "$work/prefix" > /dev/null
[[ -f $work/prefix/share/smtpx/stdlib/smtpx/core.lua ]] || fail "stdlib not installed"
[[ "$("$work/prefix/bin/smtpx" list)" == *send_plain* ]] || fail "installed smtpx does not list send_plain"
"$work/prefix/bin/smtpx" run send_plain --server "127.0.0.1:$POSTFIX_PORT" --quiet \
  --set from=sender@testbed.local --set to=core-installed@example.com || fail "installed send_plain failed"

# The stdlib is compiled into smtpx. Its searcher (package.searchers[2]) loads a module whose file
# holds the source the bytecode came from, under that file's name; once the file is edited it
# declines, and require parses the file as it stands.
stdlib=$work/prefix/share/smtpx/stdlib
cat > "$work/precompiled.lua" <<'LUA'
local loader, file = package.searchers[2]("smtpx.esmtp")
assert(type(loader) == "function", "smtpx.esmtp was not found precompiled")
assert(package.searchers[2]("nosuch.module") == nil)
print(file .. " " .. debug.getinfo(loader, "S").source)
LUA
assert_eq "$stdlib/smtpx/esmtp.lua @$stdlib/smtpx/esmtp.lua" "$("$work/prefix/bin/smtpx" run "$work/precompiled.lua")"
echo 'return { edited = true }' > "$stdlib/smtpx/esmtp.lua"
cat > "$work/edited.lua" <<'LUA'
assert(package.searchers[2]("smtpx.esmtp") == nil, "the edited module was found precompiled")
assert(require("smtpx.esmtp").edited, "the edited module was not loaded")
LUA
assert_exit 0 "$work/prefix/bin/smtpx" run "$work/edited.lua"
echo "core_cli: ok"
