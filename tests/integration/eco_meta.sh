#!/usr/bin/env bash
# The LuaLS type annotations (stdlib/smtpx/meta/smtpx.lua): the file is valid Lua, and every
# function the C++ bindings register (the luaL_Reg tables of src/lua) is annotated, so the file
# cannot silently fall behind the API.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

meta=$SMTPX_ROOT/stdlib/smtpx/meta/smtpx.lua
[[ -f $meta ]] || fail "no $meta"

cat > "$TEST_TMP/parse.lua" <<'LUA'
local chunk, err = loadfile(params.file)
if not chunk then io.stderr:write(err, "\n") return 3 end
LUA
assert_exit 0 "$SMTPX" run "$TEST_TMP/parse.lua" --set file="$meta"

# Names in luaL_Reg tables: lines like {"send", protect<sessionSend>}, or {"now", smtpNow},
mapfile -t registered < <(sed -nE 's/^[[:space:]]*\{"([a-z_0-9]+)", (protect<|smtp[A-Z]|session[A-Z]).*/\1/p' "$SMTPX_ROOT"/src/lua/*.cpp | sort -u)
((${#registered[@]} > 20)) || fail "found only ${#registered[@]} registered functions: has the binding style changed?"
for name in "${registered[@]}"; do
  grep -Eq "^function (smtp\.|Session:)$name\(|^---@field $name fun" "$meta" ||
    fail "$name is registered in src/lua but not annotated in stdlib/smtpx/meta/smtpx.lua"
done
# The globals and properties a script sees.
for field in "^params = " "^server = " "^smtp = " "@field version string" "@field interactive boolean"; do
  grep -Eq -- "$field" "$meta" || fail "stdlib/smtpx/meta/smtpx.lua lacks '$field'"
done
