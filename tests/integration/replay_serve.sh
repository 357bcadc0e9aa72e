#!/usr/bin/env bash
# smtpx serve-transcript plays the server of a transcript: smtpx replay and swaks, following the
# recorded dialogue, pass; a client that says something else gets a 451 and the server exits 30;
# transcripts script misbehaving servers: one that drops the connection ("! close"), one that
# greets late (--pace).
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

fixtures=$SMTPX_ROOT/tests/fixtures/transcripts
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TEST_TMP"' EXIT

# serve NAME FILE ARGS...: starts serve-transcript in the background; sets $port, and $NAME.out
# and $NAME.err in $TEST_TMP hold its output.
serve() {
  local name=$1 i
  shift
  "$SMTPX" serve-transcript "$@" --listen 127.0.0.1:0 >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" &
  pids+=($!)
  server_pid=$!
  for i in $(seq 50); do grep -q '^listening on ' "$TEST_TMP/$name.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/^listening on .*://p' "$TEST_TMP/$name.out")
  [[ -n $port ]] || fail "serve-transcript $name did not start: $(cat "$TEST_TMP/$name.err")"
}

# finished NAME EXPECTED_EXIT: waits for the server started last and checks its exit code.
finished() {
  local code=0
  wait "$server_pid" || code=$?
  ((code == $2)) || fail "serve-transcript $1 exited $code, expected $2: $(tail -5 "$TEST_TMP/$1.err")"
}

# smtpx replay against the transcript it came from, three sessions at once.
serve plain "$fixtures/postfix-plain.telnet.txt" --sessions 3
for i in 1 2 3; do
  "$SMTPX" replay "$fixtures/harness/postfix-plain.smtpx" --server "127.0.0.1:$port" --quiet >"$TEST_TMP/replay$i.out" &
  pids+=($!)
done
for i in 1 2 3; do wait "${pids[-$i]}" || fail "replay $i against serve-transcript failed: $(cat "$TEST_TMP/replay$i.out")"; done
finished plain 0
assert_contains "$TEST_TMP/plain.out" "3 sessions: 0 diverged"
assert_contains "$TEST_TMP/plain.err" "session 2 <-  250 2.0.0 Ok: queued as "

# swaks, a client under test, sending the recorded dialogue.
# (without its last line end: swaks adds the CRLF before the dot)
printf "%s" "$(awk '/^354 /{on=1; next} on && /^\.$/{exit} on' "$fixtures/postfix-plain.telnet.txt")" > "$TEST_TMP/message.txt"
serve swaks "$fixtures/postfix-plain.telnet.txt" --sessions 1
assert_exit 0 swaks --server "127.0.0.1:$port" --helo client.testbed.local --from sender@testbed.local \
  --to rcpt1@example.com --data "@$TEST_TMP/message.txt"
finished swaks 0

# ... and one that says something else: a 451 naming the transcript line, exit 30.
serve other "$fixtures/postfix-plain.telnet.txt" --sessions 1
if swaks --server "127.0.0.1:$port" --helo other.example --from sender@testbed.local --to rcpt1@example.com \
  >"$TEST_TMP/other-swaks.out" 2>&1; then fail "swaks got through a dialogue that is not the transcript's"; fi
assert_contains "$TEST_TMP/other-swaks.out" "451 4.3.0 smtpx serve-transcript: not what transcript line 5 expects"
finished other 30
assert_contains "$TEST_TMP/other.out" 'FAIL  step 2 (postfix-plain.telnet.txt line 5): expected "EHLO client.testbed.local", got "EHLO other.example"'

# A server that drops the connection after MAIL: the client meets the end of the stream (exit 7).
serve drop "$fixtures/serve/drop-after-mail.smtpx" --sessions 1
cat > "$TEST_TMP/mail.lua" <<'LUA'
local s = smtp.connect(server)
s:expect(220)
s:send("EHLO client.testbed.local")
s:expect(250)
s:send("MAIL FROM:<sender@testbed.local>")
s:expect(250)
LUA
assert_exit 7 "$SMTPX" run "$TEST_TMP/mail.lua" --server "127.0.0.1:$port"
assert_contains "$LAST_STDERR" "mail.lua:6:"
finished drop 0

# A server that greets after 1.5 s (--pace keeps the recorded gap).
serve slow "$fixtures/serve/slow-greeting.smtpx" --sessions 1 --pace
cat > "$TEST_TMP/greeting.lua" <<'LUA'
local s = smtp.connect(server)
local reply = s:expect(220)
s:send("QUIT")
s:expect(221)
return reply.elapsed >= 1.4 and 0 or 1
LUA
assert_exit 0 "$SMTPX" run "$TEST_TMP/greeting.lua" --server "127.0.0.1:$port"
finished slow 0

# What a server cannot play is refused before it listens.
printf '# smtpx transcript 1\nS~ 220 .*\n' > "$TEST_TMP/regex.smtpx"
assert_exit 31 "$SMTPX" serve-transcript "$TEST_TMP/regex.smtpx" --listen 127.0.0.1:0
assert_contains "$LAST_STDERR" "line 2: a server cannot send a regex"
assert_exit 31 "$SMTPX" serve-transcript "$fixtures/rfc3207-starttls.txt" --listen 127.0.0.1:0
assert_contains "$LAST_STDERR" "cannot play STARTTLS"
echo "replay_serve: ok"
