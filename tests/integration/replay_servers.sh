#!/usr/bin/env bash
# The Postfix transcripts against the other real servers of the harness, by reply code: Exim
# (which answers QUIT only after the client half-closes: the replay does) and aiosmtpd; with a
# rewritten recipient where the harness relays nothing. The English tutorial replays too.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

fixtures=$SMTPX_ROOT/tests/fixtures/transcripts
secrets=(--set "user=$TEST_USER" --set "password=$TEST_PASS")
rewrite=(--rewrite rcpt2@example.net=rcpt2@example.com)

for port in "$EXIM_PORT" "$AIOSMTPD_PORT"; do
  start=$(date +%s.%N)
  assert_exit 0 "$SMTPX" replay "$fixtures"/postfix-*.txt --server "127.0.0.1:$port" "${secrets[@]}" "${rewrite[@]}" --timeout 10
  assert_contains "$LAST_STDOUT" "6 transcripts: 6 passed, 0 failed"
  elapsed=$(python3 -c "import time; print(time.time() - $start)")
  # Exim would hold the 221 for its timeout without the half-close
  python3 -c "import sys; sys.exit(0 if $elapsed < 8 else 1)" || fail "port $port took ${elapsed}s"
done

# A tutorial from the web: its recipient rewritten to one the harness takes.
rm -rf "$(mail_dir postfix tutorial@example.com)"
assert_exit 0 "$SMTPX" replay "$fixtures/tutorial-en.telnet.txt" --server "127.0.0.1:$POSTFIX_PORT" \
  --rewrite mail@destinationdomain.ext=tutorial@example.com
wait_for_mail "$(mail_dir postfix tutorial@example.com)" 20 >/dev/null
echo "replay_servers: ok"
