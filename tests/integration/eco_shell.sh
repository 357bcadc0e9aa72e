#!/usr/bin/env bash
# `smtpx shell`: typed lines go to the server as commands with the live transcript, message text
# after 354 waits for nothing until ".", :lua runs Lua with the session as `s`, :save writes a
# transcript that `smtpx replay` plays back green (FILE.lua: a script `smtpx run` runs green),
# and the server closing unasked is exit 7, also while the shell waits for a line. Piped input
# reads lines as they come; on a terminal (a pseudo-terminal, driven by shell_pty.py) lines are
# edited with libedit, the Up arrow recalls history kept in a 0600 file without AUTH
# credentials, and the terminal is given back as it was however the shell ends.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
PTY="python3 $(dirname "$0")/shell_pty.py"

# No history file is written from piped input, wherever XDG_STATE_HOME points.
export XDG_STATE_HOME=$TEST_TMP/state-piped

rcpt=shell$$@example.com
printf '%s\n' "EHLO shell.example" ":lua s:info().peer" ":lua 1 +" "MAIL FROM:<me@example.com>" \
  "RCPT TO:<$rcpt>" "DATA" "Subject: from the shell" "" "..a dotted line" "." \
  ":save $TEST_TMP/session.smtpx" ":save $TEST_TMP/session.lua" ":bogus" "QUIT" > "$TEST_TMP/typed"
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
[[ ! -e $XDG_STATE_HOME ]] || fail "piped input wrote a history file"

assert_contains "$TEST_TMP/session.smtpx" "C: RCPT TO:<$rcpt>"
assert_contains "$TEST_TMP/session.smtpx" "C: ..a dotted line"
assert_exit 0 "$SMTPX" replay "$TEST_TMP/session.smtpx" --server "$TEST_HOST:$AIOSMTPD_PORT" --quiet
assert_contains "$TEST_TMP/session.lua" 's:send("RCPT TO:<'"$rcpt"'>")'
assert_exit 0 "$SMTPX" run "$TEST_TMP/session.lua" --server "$TEST_HOST:$AIOSMTPD_PORT"
assert_contains "$LAST_STDERR" " -> ..a dotted line"
message=$(wait_for_mail "$(mail_dir aiosmtpd "$rcpt")" 20 2 | tail -n 1)
assert_contains "$message" "Subject: from the shell"

# A last line without its line end is still a line; end of input ends the shell; one server only.
printf 'NOOP\nNOOP' | { assert_exit 0 "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT"; }
[[ $(grep -c -- ' -> NOOP' "$LAST_STDERR") == 2 ]] || fail "the unterminated last line was not sent"
assert_exit 0 "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT" < /dev/null
assert_exit 2 "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT" --server "$TEST_HOST:$POSTFIX_PORT"

# A server that says 421 and hangs up while the shell waits for input: the 421 shows at once and
# the shell ends with 7 at the close, not at the end of input.
cat > "$TEST_TMP/closer.py" <<'PY'
import socket, sys, time
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
conn.sendall(b"220 closer\r\n")
conn.recv(100)
conn.sendall(b"250 ok\r\n")
time.sleep(float(sys.argv[1]))
conn.sendall(sys.argv[2].encode() + b"\r\n")
if sys.argv[2].startswith("421"):
    conn.close()
else:
    conn.recv(100)
PY
start_closer() {  # start_closer DELAY REPLY: sets closer_port
  coproc closer { python3 "$TEST_TMP/closer.py" "$@"; }
  read -r closer_port <&"${closer[0]}"
}
start_closer 0.5 "421 idle too long"
SECONDS=0
assert_exit 7 "$SMTPX" shell --server "127.0.0.1:$closer_port" < <(echo "NOOP"; sleep 8)
((SECONDS < 6)) || fail "the shell waited for the end of input instead of ending at the close"
assert_contains "$LAST_STDERR" "<-  421 idle too long"
wait

# --- on a terminal --------------------------------------------------------------------------------
export XDG_STATE_HOME=$TEST_TMP/state
history=$XDG_STATE_HOME/smtpx/history
b64_user=$(printf '%s' "$TEST_USER" | base64)
b64_pass=$(printf '%s' "$TEST_PASS" | base64)
b64_plain=$(printf '\0%s\0%s' "$TEST_USER" "$TEST_PASS" | base64)
prompt='smtpx> '

# libedit is in a module that only the shell on a terminal loads (the arrows below need it):
# every other run starts without it.
if [[ "$(ldd "$SMTPX")" == *libedit* ]]; then fail "smtpx links libedit: it belongs in libsmtpx_editline.so"; fi

# Line editing: a typo fixed with the arrows and Backspace; the Up arrow sends NOOP again; AUTH
# LOGIN's answers and an AUTH PLAIN with its payload stay out of the history and the transcript.
assert_exit 0 $PTY "$TEST_TMP/pty1.log" \
  "expect=$prompt" 'send=EHLO tty.example\r' "expect=250 .*[\r\n]+$prompt" \
  'send=NOP\x1b[DO\r' "expect=<-  250 .*[\r\n]+$prompt" \
  'send=\x1b[A\r' "expect= -> NOOP.*[\r\n]+.*<-  250 .*[\r\n]+$prompt" \
  'send=AUTH LOGIN\r' "expect=334 .*[\r\n]+$prompt" \
  "send=$b64_user\\r" "expect=334 .*[\r\n]+$prompt" \
  "send=$b64_pass\\r" "expect=235 .*[\r\n]+$prompt" \
  "send=AUTH PLAIN $b64_plain\\r" "expect=503 .*[\r\n]+$prompt" \
  "send=:save $TEST_TMP/tty.lua\\r" "expect=saved.*[\r\n]+$prompt" \
  'send=QUIT\r' "expect=221.*[\r\n]+$prompt" 'send=\x04' \
  -- "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT" --transcript "$TEST_TMP/tty.transcript"
[[ $(grep -c -- ' -> NOOP' "$TEST_TMP/tty.transcript") == 2 ]] || fail "the edited NOOP and its recall were not both sent"
[[ $(stat -c %a "$history") == 600 ]] || fail "the history file is not mode 0600: $(stat -c %a "$history")"
[[ $(stat -c %a "$(dirname "$history")") == 700 ]] || fail "the history directory is not mode 0700"
assert_eq $'EHLO tty.example\nNOOP\nAUTH LOGIN\n:save '"$TEST_TMP"$'/tty.lua\nQUIT' "$(cat "$history")" "history"
for secret in "$b64_user" "$b64_pass" "$b64_plain" "$TEST_PASS"; do
  ! grep -qF -- "$secret" "$history" "$TEST_TMP/tty.transcript" "$TEST_TMP/tty.lua" ||
    fail "an AUTH credential ($secret) was written down"
done
assert_contains "$TEST_TMP/tty.transcript" " -> ****"
assert_contains "$TEST_TMP/tty.lua" "{{secret:password:base64}}"
assert_exit 0 "$SMTPX" run "$TEST_TMP/tty.lua" --server "$TEST_HOST:$AIOSMTPD_PORT" \
  --set user="$TEST_USER" --set password="$TEST_PASS"
assert_contains "$LAST_STDERR" "<-  235"

# The next session's Up arrow recalls the last session's lines (QUIT, then :save ...).
assert_exit 0 $PTY "$TEST_TMP/pty2.log" \
  "expect=$prompt" 'send=\x1b[A\x1b[A\r' "expect=saved .*[\r\n]+$prompt" 'send=\x04' \
  -- "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT"
# history=off: nothing written (a fresh state directory stays missing).
XDG_STATE_HOME=$TEST_TMP/state-off assert_exit 0 $PTY "$TEST_TMP/pty3.log" \
  "expect=$prompt" 'send=NOOP\r' "expect=250 .*[\r\n]+$prompt" 'send=\x04' \
  -- "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT" --set history=off
[[ ! -e $TEST_TMP/state-off ]] || fail "history=off wrote a history file"

# The server hangs up while a half-typed line waits: the 421 shows at once, the shell ends with 7,
# and the terminal is back in its own mode (shell_pty.py exits 98 otherwise).
start_closer 1 "421 4.4.2 idle too long"
assert_exit 7 $PTY "$TEST_TMP/pty4.log" \
  "expect=$prompt" 'send=NOOP\r' "expect=250 ok.*[\r\n]+$prompt" 'send=MAIL FR' \
  "expect=<-  421 4.4.2 idle too long" \
  -- "$SMTPX" shell --server "127.0.0.1:$closer_port"
wait
# A protocol error while idle ends the shell with its exit code (a script error), terminal restored.
start_closer 1 "250 unasked"
assert_exit 9 $PTY "$TEST_TMP/pty5.log" \
  "expect=$prompt" 'send=NOOP\r' "expect=250 ok.*[\r\n]+$prompt" "expect=250 unasked" \
  -- "$SMTPX" shell --server "127.0.0.1:$closer_port"
wait
# The terminal itself goes away: end of input, exit 0 (not a busy loop on a dead terminal).
assert_exit 0 $PTY "$TEST_TMP/pty6.log" \
  "expect=$prompt" 'send=NO' 'hangup' \
  -- "$SMTPX" shell --server "$TEST_HOST:$AIOSMTPD_PORT"
