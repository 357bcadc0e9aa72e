#!/usr/bin/env bash
# `smtpx shell`: typed lines go to the server as commands with the live transcript, message text
# after 354 waits for nothing until ".", :lua runs Lua with the session as `s`, :save writes a
# transcript that `smtpx replay` plays back green, and the server closing unasked is exit 7.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

rcpt=shell$$@example.com
printf '%s\n' "EHLO shell.example" ":lua s:info().peer" ":lua 1 +" "MAIL FROM:<me@example.com>" \
  "RCPT TO:<$rcpt>" "DATA" "Subject: from the shell" "" "..a dotted line" "." \
  ":save $TEST_TMP/session.smtpx" ":bogus" "QUIT" > "$TEST_TMP/typed"
assert_exit 0 "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT" --set wait=10 < "$TEST_TMP/typed"
assert_contains "$LAST_STDOUT" "$TEST_HOST:$AIOSMTPD_PORT"   # :lua printed its value
assert_contains "$LAST_STDERR" " -> EHLO shell.example"
assert_contains "$LAST_STDERR" "<-  250 "
assert_contains "$LAST_STDERR" ":lua:1:"                     # the Lua error, and the shell went on
assert_contains "$LAST_STDERR" "unknown: :bogus"
assert_contains "$LAST_STDERR" "<-  221"
message=$(wait_for_mail "$(mail_dir aiosmtpd "$rcpt")" 20)
assert_contains "$message" "Subject: from the shell"
grep -q '^\.a dotted line' "$message" || fail "the dotted line did not arrive unstuffed"

assert_contains "$TEST_TMP/session.smtpx" "C: RCPT TO:<$rcpt>"
assert_contains "$TEST_TMP/session.smtpx" "C: ..a dotted line"
assert_exit 0 "$SMTPX" replay "$TEST_TMP/session.smtpx" --server "$TEST_HOST:$AIOSMTPD_PORT" --quiet

# End of input ends the shell; a server that hangs up unasked is exit 7; one server only.
assert_exit 0 "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT" < /dev/null
cat > "$TEST_TMP/closer.py" <<'PY'
import socket, sys
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
conn.sendall(b"220 closer\r\n")
conn.recv(100)
conn.sendall(b"421 bye\r\n")
conn.close()
PY
coproc closer { python3 "$TEST_TMP/closer.py"; }
read -r port <&"${closer[0]}"
assert_exit 7 "$SMTPX" shell --server "127.0.0.1:$port" < <(echo "NOOP"; sleep 5)  # exits at the close, not at end of input
assert_contains "$LAST_STDERR" "421 bye"
assert_exit 2 "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT" --server "$TEST_HOST:$POSTFIX_PORT"
