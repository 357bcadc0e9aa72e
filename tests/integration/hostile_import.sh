#!/usr/bin/env bash
# Malformed transcripts: every form the importer can meet ends in exit 31 and an error naming the
# file and line (compiler style), never a crash; control bytes in the quoted lines are escaped.
# `smtpx replay` and `smtpx convert` report the same errors.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_baseline_rss

# bad_import TEXT LINE MESSAGE [OPTIONS...]: importing TEXT (printf format) fails at LINE.
n=0
bad_import() {
  local text=$1 line=$2 message=$3 file
  shift 3
  file=$TEST_TMP/bad$((++n)).txt
  printf "$text" >"$file"
  run_bounded 31 0 "$SMTPX" import "$file" "$@"
  assert_contains "$LAST_STDERR" "$file:$line: $message"
}
bad_import 'S: 220 hi\nC: EHLO x\nS: 25 bad\n' 3 'not a server reply: malformed reply line (no 3-digit code): "25 bad"'
bad_import 'S: 220 hi\nC: EHLO x\nS: 250-a\nS: 251 b\n' 4 'not a server reply: reply code changed from 250 to 251 inside a multi-line reply'
bad_import 'S: 220 hi\nC: EHLO x\nS: 250-a\nC: MAIL FROM:<a@example.com>\n' 3 "the reply is not complete"
bad_import 'S: 220 hi\nC: EHLO x\nS: 250 ok\nC: DATA\nS: 354 go\nC: text\n' 5 "the message text after this line has no end (a lone '.')"
bad_import 'S: 220 hi\nX: what\n' 2 'not a line of an RFC dialogue ("C: ", "S: "): "X: what"'
bad_import '# smtpx transcript 1\nS: 220 hi\nbogus line\n' 3 'not a transcript line ("C: ", "S: "'
bad_import '# smtpx transcript 1\nS: 220 {{unclosed\n' 2 '"{{" without its "}}"'
bad_import 'S: 220 hi\r\nC: EHLO x\rRSET\r\nS: 250 ok\r\n' 2 "the command holds a CR, LF or NUL byte"
bad_import 'S: 220 hi\nC: EHLO x\0RSET\nS: 250 ok\n' 2 "the command holds a CR, LF or NUL byte"
bad_import '\x1b[2J\x1b]0;owned\x07\xc2\x9b junk\n' 1 'neither a server reply, an SMTP command nor telnet'"'"'s own output: "\x1b[2J\x1b]0;owned\x07\xc2\x9b junk"'
bad_import 'S: 220 hi\nC: EHLO x\nS: 250 ok\n' 1 'no " -> ", "<-  "' --from swaks
# Several bad lines are all named at once.
bad_import 'S: 220 hi\nX: one\nY: two\n' 2 'not a line of an RFC dialogue'
assert_contains "$LAST_STDERR" "bad$n.txt:3: not a line of an RFC dialogue"

# No raw control byte reaches the terminal from any of these messages.
bad_import '\x1b[31mred\x1b[0m\n' 1 "neither a server reply"
if grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$LAST_STDERR"; then fail "a control byte in the import error"; fi

# Unreadable input.
run_bounded 31 0 "$SMTPX" import "$TEST_TMP/missing.txt"
assert_contains "$LAST_STDERR" "cannot read $TEST_TMP/missing.txt"
run_bounded 31 0 "$SMTPX" import "$TEST_TMP"
assert_contains "$LAST_STDERR" "cannot read $TEST_TMP"
run_bounded 2 0 "$SMTPX" import "$TEST_TMP/bad1.txt" --from nosuch
assert_contains "$LAST_STDERR" "--from takes telnet, rfc, swaks, smtpx or canonical, not 'nosuch'"

# A big binary file: an error, in bounded time and memory.
head -c 2000000 /dev/urandom >"$TEST_TMP/random.bin"
# Every line is named with its escaped text: some 10 times the input in memory at most.
HOSTILE_RSS_MARGIN_MB=$((HOSTILE_RSS_MARGIN_MB + 20)) run_bounded 31 2 "$SMTPX" import "$TEST_TMP/random.bin"
grep -q "random.bin:[0-9]*: " "$LAST_STDERR" || fail "no line-numbered error for a binary file"

# replay and convert stop at the same line.
run_bounded 31 0 "$SMTPX" replay "$TEST_TMP/bad1.txt" --server "127.0.0.1:$POSTFIX_PORT"
cat "$LAST_STDOUT" "$LAST_STDERR" >"$TEST_TMP/replay.out"
assert_contains "$TEST_TMP/replay.out" "bad1.txt:3: not a server reply"
run_bounded 31 0 "$SMTPX" convert "$TEST_TMP/bad1.txt" --to lua
assert_contains "$LAST_STDERR" "bad1.txt:3: not a server reply"
echo "hostile_import: ok"
