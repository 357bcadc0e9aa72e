# shellcheck shell=bash
# Helpers for integration test scripts (tests/integration/*.sh). Source it:
#
#   . "$(dirname "$0")/../harness/lib.sh"
#
# It turns on strict mode, loads $SMTPX_TEST_STATE/servers.env (written by servers.sh start:
# POSTFIX_PORT, POSTFIX_MAILDIR_ROOT, EXIM_..., AIOSMTPD_..., SLOW_..., TEST_USER, TEST_PASS, ...)
# and sets SMTPX (the binary; CTest passes it) and TEST_TMP (a scratch dir removed on exit).
#
# Maildirs: <server>_MAILDIR_ROOT/<domain>/<localpart>/new/<file>; Postfix lower-cases the
# address, so use lower-case addresses. aiosmtpd stores the bytes as received (CRLF line ends);
# Postfix and Exim store LF line ends and prepend Return-Path/Delivered-To/Received headers.
set -euo pipefail

SMTPX_ROOT=${SMTPX_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SMTPX_TEST_STATE=${SMTPX_TEST_STATE:-/tmp/smtpx-test}
SMTPX=${SMTPX:-$SMTPX_ROOT/build/smtpx}

# Prints MSG with where it failed, and exits 1.
fail() {
  local i
  printf 'FAIL: %s\n' "$*" >&2
  for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
    printf '  at %s:%s (%s)\n' "${BASH_SOURCE[i]}" "${BASH_LINENO[i - 1]}" "${FUNCNAME[i]}" >&2
  done
  exit 1
}

# Exit code 77 = skipped (the test needs SKIP_RETURN_CODE 77 in CMake to show as such).
skip() {
  printf 'SKIP: %s\n' "$*" >&2
  exit 77
}

if [[ ! -r $SMTPX_TEST_STATE/servers.env ]]; then
  fail "no $SMTPX_TEST_STATE/servers.env: start the servers first (bash tests/harness/servers.sh start all)"
fi
# shellcheck source=/dev/null
. "$SMTPX_TEST_STATE/servers.env"

# Scratch space inside the state dir (servers.sh makes $SMTPX_TEST_STATE/tmp and `stop all`
# removes it), so it goes away even when a test replaces this EXIT trap with its own.
TEST_TMP=$(mktemp -d "$SMTPX_TEST_STATE/tmp/test.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$TEST_TMP"' EXIT

# mail_dir SERVER ADDRESS: the Maildir that SERVER (postfix|exim|aiosmtpd) delivers ADDRESS to.
mail_dir() {
  local root_var="${1^^}_MAILDIR_ROOT" addr=${2,,}
  [[ -n ${!root_var:-} ]] || fail "mail_dir: unknown server '$1'"
  printf '%s/%s/%s\n' "${!root_var}" "${addr#*@}" "${addr%@*}"
}

# The log of the server that owns a path below one of the Maildir roots (for failure context).
_log_for_path() {
  local s root_var log_var
  for s in POSTFIX EXIM AIOSMTPD; do
    root_var=${s}_MAILDIR_ROOT log_var=${s}_LOG
    if [[ $1 == "${!root_var}"* ]]; then printf '%s\n' "${!log_var}"; return; fi
  done
}

# wait_for_mail MAILDIR [TIMEOUT=10] [COUNT=1]: waits until MAILDIR/new holds COUNT messages and
# prints their paths, oldest first. Servers move a message into new/ only once it is complete.
wait_for_mail() {
  local dir=$1 timeout=${2:-10} count=${3:-1} i files=() log
  for ((i = 0; i <= timeout * 10; i++)); do
    if [[ -d $dir/new ]]; then
      mapfile -t files < <(find "$dir/new" -type f -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-)
      if ((${#files[@]} >= count)); then
        printf '%s\n' "${files[@]}"
        return 0
      fi
    fi
    sleep 0.1
  done
  log=$(_log_for_path "$dir")
  {
    echo "wait_for_mail: $dir/new has ${#files[@]} message(s), wanted $count within ${timeout}s"
    echo "---- messages delivered so far ----"
    find "$(dirname "$(dirname "$dir")")" -path '*/new/*' -type f 2>/dev/null | head -20
    if [[ -n $log ]]; then echo "---- last lines of $log ----"; tail -n 20 "$log"; fi
  } >&2
  fail "no mail in $dir"
}

# clear_mailboxes SERVER ADDRESS...: deletes those addresses' Maildirs on SERVER, and nothing
# else: tests run in parallel (ctest -j2) against the same servers, so a test clears only the
# mailboxes it uses itself.
clear_mailboxes() {
  local server=$1 address
  shift
  for address in "$@"; do rm -rf "$(mail_dir "$server" "$address")"; done
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
  [[ $1 == "$2" ]] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_contains FILE TEXT: FILE contains TEXT (a fixed string, not a pattern).
assert_contains() {
  [[ -f $1 ]] || fail "assert_contains: no file $1"
  grep -qF -- "$2" "$1" && return 0
  printf -- '---- %s (first 40 lines) ----\n' "$1" >&2
  head -n 40 "$1" >&2
  fail "$1 does not contain '$2'"
}

# assert_exit EXPECTED CMD...: runs CMD, fails unless it exits EXPECTED. Its output stays in
# $LAST_STDOUT and $LAST_STDERR (files) for further assertions; its exit code in $LAST_EXIT.
LAST_STDOUT=$TEST_TMP/last.stdout
LAST_STDERR=$TEST_TMP/last.stderr
LAST_EXIT=
assert_exit() {
  local expected=$1
  shift
  LAST_EXIT=0
  "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR" || LAST_EXIT=$?
  ((LAST_EXIT == expected)) && return 0
  {
    echo "---- command: $* ----"
    echo "---- stdout ----"; tail -n 40 "$LAST_STDOUT"
    echo "---- stderr ----"; tail -n 40 "$LAST_STDERR"
  } >&2
  fail "exit code $LAST_EXIT, expected $expected: $1"
}
