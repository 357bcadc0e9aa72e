#!/usr/bin/env bash
# Packaging: `cpack` in the build directory makes a .deb whose Depends (from dpkg-shlibdeps)
# names the POCO libraries (Lua is linked in); unpacked with dpkg -x (never installed: the machine stays as
# it was) its smtpx runs, finds its scripts in the tree it was unpacked to and loads its own TLS
# module from there, and it carries the line-editing module, the man page and the bash completion.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

command -v cpack >/dev/null || fail "no cpack (package cmake)"
command -v dpkg-shlibdeps >/dev/null || fail "no dpkg-shlibdeps (package dpkg-dev; .ci/setup.sh installs it)"
build_dir=$(cd "$(dirname "$SMTPX")" && pwd)
[[ -f $build_dir/CPackConfig.cmake ]] || fail "no CPackConfig.cmake in $build_dir"

# The package goes to a scratch directory, so the build directory keeps no .deb.
assert_exit 0 cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$TEST_TMP/pkg"
mapfile -t debs < <(find "$TEST_TMP/pkg" -maxdepth 1 -name 'smtpx_*.deb')
((${#debs[@]} == 1)) || fail "expected one smtpx_*.deb, found: ${debs[*]:-none}"
deb=${debs[0]}

assert_eq smtpx "$(dpkg-deb -f "$deb" Package)" "Package"
version=$("$SMTPX" --version)
assert_eq "${version#smtpx }" "$(dpkg-deb -f "$deb" Version)" "Version"
depends=$(dpkg-deb -f "$deb" Depends)
[[ $depends != *liblua5.4* ]] || fail "Depends names liblua5.4, which smtpx links from its static archive: $depends"
[[ $depends == *libpoco* ]] || fail "Depends does not name libpoco: $depends"
# The TLS module is not linked to the binary: its libraries must be in Depends all the same.
[[ $depends == *libssl3* ]] || fail "Depends does not name libssl3 (the TLS module's): $depends"
[[ $depends == *libedit2* ]] || fail "Depends does not name libedit2 (the line-editing module's): $depends"
[[ -n $(dpkg-deb -f "$deb" Maintainer) ]] || fail "no Maintainer"
[[ -n $(dpkg-deb -f "$deb" Description) ]] || fail "no Description"

root=$TEST_TMP/root
dpkg -x "$deb" "$root"
[[ -n $(cd "$root" && find usr/lib -name libsmtpx_editline.so) ]] || fail "the package lacks libsmtpx_editline.so"
for file in usr/bin/smtpx usr/share/man/man1/smtpx.1 usr/share/bash-completion/completions/smtpx \
            usr/share/smtpx/scripts/send_plain.lua usr/share/smtpx/stdlib/smtpx/client.lua \
            usr/share/smtpx/stdlib/smtpx/meta/smtpx.lua; do
  [[ -f $root/$file ]] || fail "the package lacks /$file"
done
assert_eq "$version" "$("$root/usr/bin/smtpx" --version)" "the unpacked smtpx --version"
# The unpacked binary must find share/smtpx beside its bin/, not the source tree it was built
# from: a script only the unpacked tree has shows in its list.
printf -- '--- eco_unpacked: only in the unpacked package.\nreturn 0\n' > "$root/usr/share/smtpx/scripts/eco_unpacked.lua"
list=$(cd / && env -u SMTPX_PATH "$root/usr/bin/smtpx" list)
[[ $list == *send_plain* ]] || fail "the unpacked smtpx list shows no send_plain: $list"
[[ $list == *eco_unpacked* ]] || fail "the unpacked smtpx does not read its own share/smtpx: $list"
help=$(cd / && "$root/usr/bin/smtpx" help send_plain)
[[ $help == *Options* ]] || fail "the unpacked smtpx help send_plain: $help"

# TLS comes from the package's own module (the build tree's would also load, so look at which).
module=$(cd "$root" && find usr/lib -name libsmtpx_tls.so)
[[ -n $module ]] || fail "the package lacks libsmtpx_tls.so"
cat > "$TEST_TMP/smtps.lua" <<'LUA'
local s = smtp.connect(server, { tls = true })
s:expect(220)
s:close()
LUA
LD_DEBUG=files "$root/usr/bin/smtpx" run "$TEST_TMP/smtps.lua" --server "localhost:$POSTFIX_SMTPS_PORT" \
  --tls-ca-file "$TLS_CA_FILE" --quiet 2>"$TEST_TMP/loader.log" || fail "the unpacked smtpx failed over TLS: $(grep -v '^ *[0-9]*:' "$TEST_TMP/loader.log")"
grep -q "file=$root/$module .*dynamically loaded" "$TEST_TMP/loader.log" ||
  fail "the unpacked smtpx did not load its own TLS module: $(grep libsmtpx_tls "$TEST_TMP/loader.log")"
