#!/usr/bin/env bash
# The user's defaults file (SMTPX_CONFIG, else ~/.config/smtpx/config): its values reach a run
# as --server, --timeout and --set params; the command line wins; a bad file is a usage error.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

cat > "$TEST_TMP/show.lua" <<'LUA'
io.write("server=", tostring(server), " from=", tostring(params.from), " to=", tostring(params.to),
  " note=", tostring(params.note), "\n")
LUA
cat > "$TEST_TMP/config" <<'CONF'
# my defaults
server = 127.0.0.1:2599
from = me@example.com
  to = you@example.com
note = a # kept: only whole lines are comments
timeout = 0.3
CONF
export SMTPX_CONFIG=$TEST_TMP/config

out=$("$SMTPX" run "$TEST_TMP/show.lua" --quiet)
assert_eq "server=127.0.0.1:2599 from=me@example.com to=you@example.com note=a # kept: only whole lines are comments" \
  "$out" "config values as params and server"

out=$("$SMTPX" run "$TEST_TMP/show.lua" --quiet --set from=other@example.com --server 127.0.0.1:2600)
assert_eq "server=127.0.0.1:2600 from=other@example.com to=you@example.com note=a # kept: only whole lines are comments" \
  "$out" "--set and --server win over the config"

# The timeout reaches the engine: a server that never answers times out after 0.3 s, not 30.
start=$SECONDS
assert_exit 6 "$SMTPX" run send_plain --server "$TEST_HOST:$SLOW_PORT" --quiet
((SECONDS - start < 10)) || fail "the config's timeout = 0.3 was not used"
# ... and --timeout wins over it (the slow banner comes after a few seconds).
cat > "$TEST_TMP/banner.lua" <<'LUA'
smtp.connect(server):expect(220)
LUA
assert_exit 0 "$SMTPX" run "$TEST_TMP/banner.lua" --server "$TEST_HOST:$SLOW_PORT" --timeout 60 --quiet

# A real send with the config's envelope (a local part unique to this run: tests share servers).
rcpt=eco$$@example.com
printf 'server = %s:%s\nfrom = cfg@example.com\nto = %s\nsubject = from config\n' \
  "$TEST_HOST" "$AIOSMTPD_PORT" "$rcpt" > "$TEST_TMP/config"
assert_exit 0 "$SMTPX" run send_plain --quiet
message=$(wait_for_mail "$(mail_dir aiosmtpd "$rcpt")" 20)
assert_contains "$message" "Subject: from config"
assert_contains "$message" "cfg@example.com"

# Errors name the file and line; a named file must exist.
printf 'from = a\nnonsense\n' > "$TEST_TMP/config"
assert_exit 2 "$SMTPX" run "$TEST_TMP/show.lua"
assert_contains "$LAST_STDERR" "$TEST_TMP/config:2:"
assert_exit 2 env SMTPX_CONFIG="$TEST_TMP/missing" "$SMTPX" run "$TEST_TMP/show.lua"
assert_contains "$LAST_STDERR" "SMTPX_CONFIG"

# Without SMTPX_CONFIG, $XDG_CONFIG_HOME/smtpx/config (else ~/.config/smtpx/config) is read.
unset SMTPX_CONFIG
mkdir -p "$TEST_TMP/xdg/smtpx"
echo "from = xdg@example.com" > "$TEST_TMP/xdg/smtpx/config"
out=$(XDG_CONFIG_HOME=$TEST_TMP/xdg "$SMTPX" run "$TEST_TMP/show.lua" --quiet)
assert_eq "server=nil from=xdg@example.com to=nil note=nil" "$out" "XDG_CONFIG_HOME"
mkdir -p "$TEST_TMP/home/.config/smtpx"
echo "to = home@example.com" > "$TEST_TMP/home/.config/smtpx/config"
out=$(env -u XDG_CONFIG_HOME HOME=$TEST_TMP/home "$SMTPX" run "$TEST_TMP/show.lua" --quiet)
assert_eq "server=nil from=nil to=home@example.com note=nil" "$out" "~/.config/smtpx/config"
