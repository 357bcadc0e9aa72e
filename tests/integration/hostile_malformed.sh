#!/usr/bin/env bash
# Malformed replies: codes that are not 3 digits, a code that changes inside a multi-line reply,
# codes outside 100-599 (1xx is valid syntax but unused by SMTP: an ordinary mismatch), bare LF
# line ends (tolerated, noted once), NUL bytes, invalid UTF-8 and terminal escapes (shown
# escaped: the transcript never drives the terminal).
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/hostile_lib.sh"
hostile_start


# bad_code PORT_VARIABLE TEXT: the banner is a protocol error (exit 9; 20 through `send`).
bad_code() {
  local port=${!1}
  run_bounded 9 0 "${BANNER[@]}" "127.0.0.1:$port"
  assert_contains "$LAST_STDERR" "banner.lua:2: expected 220, but $2"
  run_bounded 20 0 "${SEND[@]}" "127.0.0.1:$port"
  assert_contains "$LAST_STDERR" "banner: expected"
  assert_contains "$LAST_STDERR" "$2"
}
bad_code HOSTILE_PORT_CODE_SHORT 'malformed reply line (no 3-digit code): "22 hostile.test two digits"'
bad_code HOSTILE_PORT_CODE_LONG 'malformed reply line (code longer than 3 digits): "2200 hostile.test four digits"'
bad_code HOSTILE_PORT_CODE_LETTERS 'malformed reply line (no 3-digit code): "2x0 hostile.test letters"'
bad_code HOSTILE_PORT_CODE_NO_SEPARATOR "malformed reply line (no '-' or ' ' after the code): \"220hostile.test glued\""
bad_code HOSTILE_PORT_CODE_MIXED 'reply code changed from 220 to 250 inside a multi-line reply: "250-changed code"'
bad_code HOSTILE_PORT_CODE_600 'malformed reply line (code outside 100-599): "600 hostile.test out of range"'
bad_code HOSTILE_PORT_CODE_000 'malformed reply line (code outside 100-599): "000 hostile.test out of range"'

# 150: well-formed, but not the 220 the script expects (exit 5); `send` says the server did not greet.
run_bounded 5 0 "${BANNER[@]}" "127.0.0.1:$HOSTILE_PORT_CODE_1XX"
assert_contains "$LAST_STDERR" "banner.lua:2: expected 220, but the server said: 150 hostile.test preliminary"
run_bounded 20 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_CODE_1XX"
assert_contains "$LAST_STDERR" "banner: the server did not greet with 220"

# Bare LF line ends: the whole transaction works; the transcript notes it once.
run_bounded 0 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_BARE_LF"
assert_contains "$LAST_STDERR" "server ends lines with a bare LF, not CRLF"
assert_eq 1 "$(grep -c 'bare LF' "$LAST_STDERR")" "bare LF notes"

# NUL bytes in the banner: the transaction works, the NULs show as \x00.
run_bounded 0 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_NUL_BYTES" --transcript "$TEST_TMP/nul.log"
assert_contains "$LAST_STDERR" '<-  220 hostile.test nul\x00in\x00the\x00banner'
assert_contains "$TEST_TMP/nul.log" '<-  220 hostile.test nul\x00in\x00the\x00banner'
if grep -qP '\x00' "$LAST_STDERR" "$TEST_TMP/nul.log"; then fail "a raw NUL byte reached the transcript"; fi

# Invalid UTF-8, a C1 CSI (U+009B) and ESC sequences: all escaped on stderr and in the file.
run_bounded 0 0 "${SEND[@]}" "127.0.0.1:$HOSTILE_PORT_INVALID_UTF8" --transcript "$TEST_TMP/utf8.log"
for out in "$LAST_STDERR" "$TEST_TMP/utf8.log"; do
  assert_contains "$out" '<-  220 hostile.test \xff\xfe \xc3( \xed\xa0\x80 \xc2\x9b31m \x1b[2J\x1b]0;owned\x07'
  if grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$out"; then fail "a control byte reached $out"; fi
  iconv -f UTF-8 -t UTF-8 "$out" >/dev/null || fail "$out is not valid UTF-8"
done
echo "hostile_malformed: ok"
