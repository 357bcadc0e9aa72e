#!/usr/bin/env bash
# The bundled send scripts against each real server of the harness (Postfix, Exim, aiosmtpd):
# plain send, AUTH LOGIN (send_auth_login, password from the environment), AUTH PLAIN (send),
# the strongest mechanism chosen by itself, a wrong password (535, exit 23, nothing delivered),
# three recipients all delivered (send_multi_rcpt, pipelined), and three with one refused (the
# other two delivered, one result line per recipient, exit 29). Credentials never show in the
# transcript.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

RUN=sl$$   # local parts unique to this run: other tests share the servers

# delivered SERVER LOCALPART TEXT...: LOCALPART@example.com got one message holding every TEXT.
delivered() {
  local server=$1 dir file text
  dir=$(mail_dir "$server" "$2@example.com")
  shift 2
  file=$(wait_for_mail "$dir" 20)
  for text in "$@"; do assert_contains "$file" "$text"; done
}

# nothing_delivered SERVER LOCALPART: no message for LOCALPART@example.com (after a grace period
# in which a server that had taken the message would have delivered it).
nothing_delivered() {
  local dir
  dir=$(mail_dir "$1" "$2@example.com")
  sleep 1
  if [[ -d $dir/new ]] && [[ -n $(ls -A "$dir/new") ]]; then fail "$1: $2 got mail it should not have"; fi
}

# no_credentials: the last transcript shows no password, nor any base64 holding it.
no_credentials() {
  local secret
  for secret in "$TEST_PASS" "$(printf '\0%s\0%s' "$TEST_USER" "$TEST_PASS" | base64 -w0)" \
                "$(printf '%s' "$TEST_PASS" | base64 -w0)" "$(printf '%s' "$TEST_USER" | base64 -w0)"; do
    grep -qF -- "$secret" "$LAST_STDERR" && fail "the transcript shows a credential ($secret)"
  done
  return 0
}

for server in postfix exim aiosmtpd; do
  port_var=${server^^}_PORT
  target=127.0.0.1:${!port_var}
  local_part=$RUN-$server

  # plain: no AUTH
  assert_exit 0 "$SMTPX" run send --server "$target" --set from=sender@testbed.local \
    --set to="$local_part-plain@example.com" --set subject="plain $server" --set body="plain body"
  assert_contains "$LAST_STDOUT" "accepted $local_part-plain@example.com 250"
  delivered "$server" "$local_part-plain" "Subject: plain $server" "plain body" "Message-ID: <"

  # AUTH LOGIN, the password from the environment
  SMTPX_PASSWORD=$TEST_PASS assert_exit 0 "$SMTPX" run send_auth_login --server "$target" \
    --set user="$TEST_USER" --set from=sender@testbed.local --set to="$local_part-login@example.com"
  assert_contains "$LAST_STDERR" " -> AUTH LOGIN"
  assert_eq 2 "$(grep -c '<-  334 ' "$LAST_STDERR")" "$server: 334 prompts"
  if [[ $server != aiosmtpd ]]; then  # aiosmtpd asks "User Name\0", "Password\0" (the old draft)
    assert_contains "$LAST_STDERR" "<-  334 VXNlcm5hbWU6"
    assert_contains "$LAST_STDERR" "<-  334 UGFzc3dvcmQ6"
  fi
  assert_contains "$LAST_STDERR" "<-  235"
  no_credentials
  delivered "$server" "$local_part-login" "Subject: smtpx AUTH LOGIN test"

  # AUTH LOGIN with an initial response: no Username: prompt
  SMTPX_PASSWORD=$TEST_PASS assert_exit 0 "$SMTPX" run send_auth_login --server "$target" --set initial=1 \
    --set user="$TEST_USER" --set from=sender@testbed.local --set to="$local_part-login-ir@example.com"
  assert_eq 1 "$(grep -c '<-  334 ' "$LAST_STDERR")" "$server: 334 prompts after an initial response"
  no_credentials
  delivered "$server" "$local_part-login-ir" "Subject: smtpx AUTH LOGIN test"

  # AUTH PLAIN with an initial response, the password from --set
  assert_exit 0 "$SMTPX" run send --server "$target" --set auth=PLAIN --set user="$TEST_USER" \
    --set password="$TEST_PASS" --set from=sender@testbed.local --set to="$local_part-plainauth@example.com"
  assert_contains "$LAST_STDERR" "=== AUTH PLAIN (credentials hidden in the transcript)"
  assert_contains "$LAST_STDERR" " -> ****"
  no_credentials
  delivered "$server" "$local_part-plainauth" "This message was sent by smtpx."

  # no mechanism named: the strongest offered (Postfix offers CRAM-MD5)
  SMTPX_PASSWORD=$TEST_PASS assert_exit 0 "$SMTPX" run send --server "$target" --set user="$TEST_USER" \
    --set from=sender@testbed.local --set to="$local_part-best@example.com"
  if [[ $server == postfix ]]; then assert_contains "$LAST_STDERR" "=== AUTH CRAM-MD5"; fi
  no_credentials
  delivered "$server" "$local_part-best" "This message was sent by smtpx."

  # wrong password: 535, exit 23, nothing delivered
  assert_exit 23 "$SMTPX" run send --server "$target" --set auth=PLAIN --set user="$TEST_USER" \
    --set password=wrong-password --set to="$local_part-wrong@example.com"
  assert_contains "$LAST_STDERR" "authentication failed (wrong user name or password?)"
  assert_contains "$LAST_STDERR" "535"
  grep -qF " -> MAIL FROM" "$LAST_STDERR" && fail "$server: MAIL FROM after a failed AUTH"
  nothing_delivered "$server" "$local_part-wrong"

  # three recipients, pipelined where offered: all delivered
  rcpts="$local_part-m1@example.com,$local_part-m2@example.com,$local_part-m3@example.com"
  assert_exit 0 "$SMTPX" run send_multi_rcpt --server "$target" --set pipelining=1 \
    --set from=sender@testbed.local --set to="$rcpts"
  for i in 1 2 3; do
    assert_contains "$LAST_STDOUT" "accepted $local_part-m$i@example.com 250"
    delivered "$server" "$local_part-m$i" "Subject: smtpx multi-recipient test"
  done

  # three recipients, one refused: the other two delivered, exit 29 (partial)
  rcpts="$local_part-p1@example.com,$TEST_REFUSED_RCPT,$local_part-p2@example.com"
  assert_exit 29 "$SMTPX" run send_multi_rcpt --server "$target" --set from=sender@testbed.local --set to="$rcpts"
  assert_contains "$LAST_STDOUT" "accepted $local_part-p1@example.com 250"
  assert_contains "$LAST_STDOUT" "refused  $TEST_REFUSED_RCPT 550"
  assert_contains "$LAST_STDOUT" "accepted $local_part-p2@example.com 250"
  [[ $(wc -l <"$LAST_STDOUT") -eq 3 ]] || fail "$server: expected 3 result lines: $(cat "$LAST_STDOUT")"
  delivered "$server" "$local_part-p1" "Subject: smtpx multi-recipient test"
  delivered "$server" "$local_part-p2" "Subject: smtpx multi-recipient test"

  # every recipient refused: exit 25, no DATA
  assert_exit 25 "$SMTPX" run send --server "$target" --set to="$TEST_REFUSED_RCPT"
  assert_contains "$LAST_STDOUT" "refused  $TEST_REFUSED_RCPT 550"
  grep -qF " -> DATA" "$LAST_STDERR" && fail "$server: DATA with no recipient accepted"

  # headers, Cc, Bcc and a body from stdin
  printf 'body from stdin\n' | assert_exit 0 "$SMTPX" run send --server "$target" --set from=sender@testbed.local \
    --set to="$local_part-h1@example.com" --set cc="Carl Cc <$local_part-h2@example.com>" \
    --set bcc="$local_part-h3@example.com" --set header.X-Smtpx-Test=yes --set body_file=-
  delivered "$server" "$local_part-h1" "X-Smtpx-Test: yes" "Cc: Carl Cc <$local_part-h2@example.com>" "body from stdin"
  delivered "$server" "$local_part-h3" "X-Smtpx-Test: yes"
  grep -rqi "^bcc:" "$(mail_dir "$server" "$local_part-h3@example.com")/new" && fail "$server: a Bcc header was sent"

  echo "stdlib_send: $server ok"
done

# The password typed at a prompt on a terminal (a pty here), with echo off.
python3 - "$SMTPX" "127.0.0.1:$AIOSMTPD_PORT" "$TEST_USER" "$TEST_PASS" "$RUN-prompt@example.com" \
  >"$TEST_TMP/prompt.out" <<'PY' || fail "prompted send failed: $(cat "$TEST_TMP/prompt.out")"
import os, pty, signal, sys
signal.alarm(60)  # never hang the test run: a lost prompt or answer fails it
smtpx, target, user, password, to = sys.argv[1:6]
pid, fd = pty.fork()
if pid == 0:
    os.execv(smtpx, [smtpx, "run", "send", "--server", target, "--set", "user=" + user, "--set", "to=" + to])
seen = b""
while b"Password for " + user.encode() not in seen:
    seen += os.read(fd, 1024)
os.write(fd, password.encode() + b"\n")
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
status = os.waitpid(pid, 0)[1]
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(0 if os.waitstatus_to_exitcode(status) == 0 and password.encode() not in seen else 1)
PY
assert_contains "$TEST_TMP/prompt.out" "<-  235"
delivered aiosmtpd "$RUN-prompt" "This message was sent by smtpx."

# No password, no terminal: a usage error that says where a password can come from.
assert_exit 2 env -u SMTPX_PASSWORD "$SMTPX" run send --server "127.0.0.1:$AIOSMTPD_PORT" --set user="$TEST_USER" \
  --set to="$RUN-none@example.com" </dev/null
assert_contains "$LAST_STDERR" "no password: set SMTPX_PASSWORD"
echo "stdlib_send: ok"
