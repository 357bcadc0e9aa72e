#!/usr/bin/env bash
# SMTP smuggling against real Postfix: no script value can inject a command or end DATA early.
# CR, LF and NUL in a command line or an address are refused; message data is CRLF-normalised
# and dot-stuffed, so "\n.\n", "\r.\r", "\r\n.\n" (and the other mixes) inside a body cannot end
# the message: each message arrives whole, and the command smuggled after the fake end is mere
# text in it, never a second message. Only the explicit raw mode sends bytes as they are.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_baseline_rss
POSTFIX=127.0.0.1:$POSTFIX_PORT
# Only this test's mailboxes are emptied: other tests may be using Postfix at the same time.
for box in smuggled victim{1..9} victim-send raw; do rm -rf "$(mail_dir postfix "$box@example.com")"; done

# --- session:send refuses CR, LF and NUL in a command line (no transaction is started).
for line in '"RSET\r\nQUIT"' '"RSET\nQUIT"' '"RSET\rQUIT"' '"RSET\0QUIT"'; do
  printf 'local s = smtp.connect(server)\ns:expect(220)\ns:send(%s)\n' "$line" >"$TEST_TMP/send.lua"
  run_bounded 3 0 "$SMTPX" run "$TEST_TMP/send.lua" --server "$POSTFIX" --timeout 2
  assert_contains "$LAST_STDERR" "send.lua:3: send: the line contains CR, LF or NUL (use {raw = true} to send bytes as they are)"
  assert_not_contains "$LAST_STDERR" " -> RSET"
done

# --- the stdlib refuses them in addresses and header values before anything is sent.
SEND=("$SMTPX" run send --server "$POSTFIX" --timeout 2 --set from=sender@testbed.local)
run_bounded 3 0 "${SEND[@]}" --set to=$'victim@example.com>\r\nRCPT TO:<smuggled@example.com'
assert_contains "$LAST_STDERR" "To address contains CR at byte 20: refused"
run_bounded 3 0 "${SEND[@]}" --set to=victim@example.com --set from=$'a@example.com\nRCPT TO:<smuggled@example.com>'
assert_contains "$LAST_STDERR" "From address contains LF at byte 14: refused"
run_bounded 3 0 "${SEND[@]}" --set to=victim@example.com --set subject=$'hi\r\nBcc: smuggled@example.com'
assert_contains "$LAST_STDERR" "Subject header contains CR at byte 3: refused"
cat >"$TEST_TMP/nul.lua" <<'LUA'
local client = require "smtpx.client"
local c = client.open(server)
c:greeting()
c:ehlo("nul.example")
c:mail("sender@testbed.local\0RCPT TO:<smuggled@example.com>")
LUA
run_bounded 3 0 "$SMTPX" run "$TEST_TMP/nul.lua" --server "$POSTFIX" --timeout 2
assert_contains "$LAST_STDERR" "contains NUL at byte 21: refused"
assert_not_contains "$LAST_STDERR" " -> MAIL FROM"

# --- message data: every fake end of data, each followed by a smuggled transaction.
cat >"$TEST_TMP/bodies.lua" <<'LUA'
local fakes = { "\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n", "\r\n.\r", "\r.\n", "\r.\r\n", "\n.\r",
  "\r\n.\r\n" }
local smuggled = "MAIL FROM:<attacker@example.com>\r\nRCPT TO:<smuggled@example.com>\r\nDATA\r\n" ..
  "Subject: smuggled\r\n\r\nsmuggled body\r\n.\r\n"
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO smuggler.example") s:expect(250)
for i, fake in ipairs(fakes) do
  s:send("MAIL FROM:<sender@testbed.local>") s:expect(250)
  s:send(string.format("RCPT TO:<victim%d@example.com>", i)) s:expect(250)
  s:send("DATA") s:expect(354)
  s:send_data("Subject: variant " .. i .. "\n\nbefore the fake end" .. fake .. smuggled .. "after the fake end\n")
  s:expect(250)
end
s:send("QUIT") s:expect(221)
LUA
run_bounded 0 2 "$SMTPX" run "$TEST_TMP/bodies.lua" --server "$POSTFIX" --timeout 2
for i in 1 2 3 4 5 6 7 8 9; do
  mapfile -t files < <(wait_for_mail "$(mail_dir postfix "victim$i@example.com")")
  assert_eq 1 "${#files[@]}" "messages for victim$i"
  assert_contains "${files[0]}" "Subject: variant $i"
  assert_contains "${files[0]}" "before the fake end"
  assert_contains "${files[0]}" "RCPT TO:<smuggled@example.com>"
  assert_contains "${files[0]}" "after the fake end"
done

# --- the same through the stdlib's send script (a body from --set).
run_bounded 0 2 "${SEND[@]}" --set to=victim-send@example.com \
  --set body=$'before\r\n.\r\nMAIL FROM:<attacker@example.com>\r\nRCPT TO:<smuggled@example.com>\n.\nafter'
mailfile=$(wait_for_mail "$(mail_dir postfix victim-send@example.com)")
assert_contains "$mailfile" "after"
assert_contains "$mailfile" "MAIL FROM:<attacker@example.com>"

# --- raw mode is the explicit way to send bytes as they are: here its early CRLF.CRLF does end
# the message, and what follows is read as the next command (RSET, answered 250).
cat >"$TEST_TMP/raw.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO raw.example") s:expect(250)
s:send("MAIL FROM:<sender@testbed.local>") s:expect(250)
s:send("RCPT TO:<raw@example.com>") s:expect(250)
s:send("DATA") s:expect(354)
s:send_data("Subject: raw\r\n\r\nends here\r\n.\r\nRSET\r\n", { raw = true })
s:expect(250)
s:expect(250)
s:send("QUIT") s:expect(221)
LUA
run_bounded 0 2 "$SMTPX" run "$TEST_TMP/raw.lua" --server "$POSTFIX" --timeout 2
mailfile=$(wait_for_mail "$(mail_dir postfix raw@example.com)")
assert_contains "$mailfile" "ends here"
assert_not_contains "$mailfile" "RSET"

# Nothing ever reached the smuggled recipient (give Postfix a moment to deliver what it took).
sleep 1
[[ ! -d $(mail_dir postfix smuggled@example.com) ]] || fail "a smuggled message was delivered"
grep -q "smuggled@example.com" "$POSTFIX_LOG" && fail "Postfix saw the smuggled recipient: $(grep smuggled "$POSTFIX_LOG" | head -n 3)"
echo "hostile_smuggling: ok"
