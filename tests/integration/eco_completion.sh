#!/usr/bin/env bash
# The bash completion (docs/completion/smtpx.bash): sourced in bash, _smtpx fills COMPREPLY with
# subcommands, a subcommand's options, bundled script names (from `smtpx list`) and files.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

# The completion runs the smtpx it completes for: put the binary under test first on PATH.
mkdir -p "$TEST_TMP/bin" "$TEST_TMP/files"
ln -s "$SMTPX" "$TEST_TMP/bin/smtpx"
touch "$TEST_TMP/files/servers.txt" "$TEST_TMP/files/sent.log"

# complete_words WORD...: COMPREPLY for the command line WORD... with the cursor after the last
# word, one entry a line, sorted.
complete_words() {
  (
    cd "$TEST_TMP/files"
    PATH="$TEST_TMP/bin:$PATH"
    set +eu
    # shellcheck source=/dev/null
    source "$SMTPX_ROOT/docs/completion/smtpx.bash"
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    _smtpx
    printf '%s\n' "${COMPREPLY[@]}" | sort
  )
}

complete -p smtpx >/dev/null 2>&1 && fail "the test shell already has a completion for smtpx"
registered=$(bash -c "source '$SMTPX_ROOT/docs/completion/smtpx.bash'; complete -p smtpx")
assert_eq "complete -F _smtpx smtpx" "$registered" "registration"

assert_eq $'record\nreplay\nrun' "$(complete_words smtpx r)" "smtpx r<TAB>"
assert_eq $'serve\nserve-transcript' "$(complete_words smtpx ser)" "smtpx ser<TAB>"
assert_eq "shell" "$(complete_words smtpx sh)" "smtpx sh<TAB>"
assert_eq "--sandbox" "$(complete_words smtpx shell --sa)" "smtpx shell --sa<TAB>"
assert_eq $'--server\n--servers' "$(complete_words smtpx run --ser)" "smtpx run --ser<TAB>"
assert_eq $'send_plain' "$(complete_words smtpx run send_p)" "smtpx run send_p<TAB>"
assert_eq $'send_plain' "$(complete_words smtpx run --quiet send_p)" "smtpx run --quiet send_p<TAB>"
assert_eq $'send_plain' "$(complete_words smtpx help send_p)" "smtpx help send_p<TAB>"
# Every bundled script is offered, as `smtpx list` names them.
assert_eq "$("$SMTPX" list | awk '{ print $1 }' | sort)" "$(complete_words smtpx run '')" "smtpx run <TAB>"
# Once the script is given, no second one.
assert_eq "" "$(complete_words smtpx run send_plain sen)" "smtpx run send_plain sen<TAB>"
# Files for the options that take one; nothing for those that take other values.
assert_eq "servers.txt" "$(complete_words smtpx run send_plain --servers serv)" "--servers FILE"
assert_eq "sent.log" "$(complete_words smtpx run send_plain --transcript sen)" "--transcript FILE"
assert_eq "" "$(complete_words smtpx run send_plain --server se)" "--server HOST"
assert_eq $'--starttls\n--stop-after' "$(complete_words smtpx check --st)" "smtpx check --st<TAB>"
assert_eq "rcpt" "$(complete_words smtpx check --stop-after rc)" "--stop-after PHASE"
assert_eq $'canonical\nlua' "$(complete_words smtpx convert x.txt --to '')" "convert --to"
# --json on every subcommand that has it (issue #8), and run's test reports.
for command in run check serve import convert replay serve-transcript record list help; do
  assert_eq "--json" "$(complete_words smtpx "$command" --js)" "smtpx $command --js<TAB>"
done
assert_eq "--junit" "$(complete_words smtpx run --ju)" "smtpx run --ju<TAB>"
assert_eq "sent.log" "$(complete_words smtpx run send_plain --tap sen)" "--tap FILE"
