#!/usr/bin/env bash
# smtpx check as a Monitoring Plugin against real Postfix, Exim and aiosmtpd: every output is read
# back strictly (status word, exit code, perfdata syntax of every label), thresholds in all range
# forms on the slow-banner server (its banner takes about 1 s), warning against critical, the
# phases it stops after, the expectations (banner regex, capabilities, reject), and the
# guidelines' --help, --version and bad options (all UNKNOWN, 3).
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/check_lib.sh"

POSTFIX=$TEST_HOST:$POSTFIX_PORT
EXIM=$TEST_HOST:$EXIM_PORT
AIOSMTPD=$TEST_HOST:$AIOSMTPD_PORT
SLOW=$TEST_HOST:$SLOW_PORT
TIME='[0-9]+\.[0-9]{6}s'

# --- a healthy server: OK, perfdata for the total and each phase, min 0, no thresholds.
nagios 0 -H "$POSTFIX"
assert_state OK
assert_text_contains "$POSTFIX: 220 $POSTFIX_HOSTNAME ESMTP Postfix"
assert_eq "time,dns,connect,banner,ehlo,quit" "$(perf_labels)" "perfdata labels"
for label in time dns connect banner ehlo quit; do assert_perf "$label" "$TIME" - -; done
assert_eq "0" "$(nagios_field perf banner | cut -f5)" "min of banner"

# --- through RCPT on Exim, with thresholds on the total and on phases.
nagios 0 -H "$EXIM" --stop-after rcpt --to "probe@example.com" -w 5 -c 10 -w banner=3 -c 'banner=~:4'
assert_state OK
assert_eq "time,dns,connect,banner,ehlo,mail,rcpt,quit" "$(perf_labels)" "perfdata labels"
assert_perf time "$TIME" 5 10
assert_perf banner "$TIME" 3 '~:4'
assert_perf rcpt "$TIME" - -

# --- every range form on the slow banner (about 1 s): which alert and which do not.
# range                    alerts for 1 s?
declare -A ALERTS=(
  [0.5]=yes [2]=no
  [2:]=yes [0.5:]=no
  ['~:0.5']=yes ['~:2']=no
  [0.2:0.5]=yes [0.5:2]=no
  ['@0.5:2']=yes ['@2:3']=no
  ['@~:0.5']=no
)
for range in "${!ALERTS[@]}"; do
  if [[ ${ALERTS[$range]} == yes ]]; then
    nagios 1 -H "$SLOW" -w "banner=$range"
    assert_state WARNING
    assert_text_contains "banner took "
    assert_text_contains "(warning $range)"
    nagios 2 -H "$SLOW" -c "banner=$range"
    assert_state CRITICAL
    assert_text_contains "(critical $range)"
  else
    nagios 0 -H "$SLOW" -w "banner=$range" -c "banner=$range"
    assert_state OK
  fi
  assert_perf banner "$TIME" "$(nagios_field perf banner | cut -f3)" "$(nagios_field perf banner | cut -f4)"
done

# --- warning and critical in the right order: -w 0.5 -c 2 on a 1 s banner is a WARNING (the
# check_smtp bug swapped them); beyond both, CRITICAL wins; perfdata keeps warn before crit.
nagios 1 -H "$SLOW" -w banner=0.5 -c banner=2
assert_state WARNING
assert_perf banner "$TIME" 0.5 2
nagios 2 -H "$SLOW" -w banner=0.2 -c banner=0.5
assert_state CRITICAL
assert_text_contains "banner took"
assert_text_contains "(critical 0.5)"
nagios 2 -H "$SLOW" -w 0.5 -c 0.8
assert_text_contains "the check took"
assert_perf time "$TIME" 0.5 0.8

# --- AUTH against aiosmtpd, Postfix and Exim.
for server in "$AIOSMTPD" "$POSTFIX" "$EXIM"; do
  nagios 0 -H "$server" --auth-user "$TEST_USER" --auth-password "$TEST_PASS" --auth-mechanism PLAIN
  assert_eq "time,dns,connect,banner,ehlo,auth,quit" "$(perf_labels)" "perfdata labels ($server)"
done
nagios 2 -H "$AIOSMTPD" --auth-user "$TEST_USER" --auth-password wrong
assert_text_contains "auth: authentication failed"

# --- a message only when asked for: data delivers one to Postfix.
clear_mailboxes postfix check@example.com
nagios 0 -H "$POSTFIX" --stop-after rcpt --to "check@example.com"
sleep 1
[[ ! -d $(mail_dir postfix check@example.com)/new ]] || fail "stop-after rcpt delivered a message"
nagios 0 -H "$POSTFIX" --stop-after data --from "monitor@example.com" --to "check@example.com"
assert_eq "time,dns,connect,banner,ehlo,mail,rcpt,data,quit" "$(perf_labels)" "perfdata labels"
message=$(wait_for_mail "$(mail_dir postfix check@example.com)")
assert_contains "$message" "Subject: smtpx check"
nagios 2 -H "$POSTFIX" --stop-after rcpt --to "$TEST_REFUSED_RCPT"
assert_text_contains "rcpt: the recipient <$TEST_REFUSED_RCPT> was refused"
assert_perf quit U - -

# --- expectations: banner regex, capabilities, reject.
nagios 0 -H "$EXIM" --expect-banner '^220 exim\.testbed\.local ESMTP Exim'
nagios 2 -H "$EXIM" --expect-banner 'Postfix'
assert_text_contains "banner: the banner does not match /Postfix/"
nagios 0 -H "$EXIM" --require PIPELINING --require 'AUTH PLAIN LOGIN' --require size
nagios 2 -H "$EXIM" --require 'AUTH CRAM-MD5' --require SIZE --require X-NOPE
assert_text_contains "ehlo: the server does not offer AUTH CRAM-MD5, X-NOPE"
nagios 2 -H "$POSTFIX" --reject 'PIPELINING'
assert_text_contains "ehlo: the reply matches the reject regex /PIPELINING/"
assert_perf quit U - -
nagios 2 -H "$POSTFIX" --reject '^220 .*Postfix' --stop-after rcpt --to x@example.com
assert_text_contains "banner: the reply matches the reject regex"
nagios 2 -H "$AIOSMTPD" --stop-after rcpt --to "$TEST_REFUSED_RCPT" --reject '5\.1\.1'
assert_text_contains "rcpt: the reply matches the reject regex /5\.1\.1/"

# --- stop after connect: no banner read, no QUIT.
nagios 0 -H "$POSTFIX" --stop-after connect
assert_eq "time,dns,connect" "$(perf_labels)" "perfdata labels"

# --- a custom dialogue with its own phase and a threshold on it.
cat >"$TEST_TMP/dialogue.lua" <<'LUA'
return function(check)
  check:banner()
  check:ehlo()
  check:phase("vrfy", function() return check.client:vrfy(check.params.who) end)
end
LUA
nagios 0 -H "$POSTFIX" --dialogue "$TEST_TMP/dialogue.lua" --set who=postmaster -w vrfy=5
assert_eq "time,dns,connect,banner,ehlo,vrfy,quit" "$(perf_labels)" "perfdata labels"
assert_perf vrfy "$TIME" 5 -
printf 'return function(check) check:banner() error("boom") end\n' >"$TEST_TMP/broken.lua"
nagios 3 -H "$POSTFIX" --dialogue "$TEST_TMP/broken.lua"
assert_state UNKNOWN
assert_text_contains "boom"

# --- the guidelines: --help and --version exit 3 (UNKNOWN), so do bad options, with a status line.
assert_exit 3 "$SMTPX" check --help
assert_contains "$LAST_STDOUT" "usage: smtpx check -H HOST[:PORT]"
assert_contains "$LAST_STDOUT" "-w, --warning [PHASE=]RANGE"
assert_exit 3 "$SMTPX" check -V
assert_contains "$LAST_STDOUT" "smtpx check "
for bad in "-H $POSTFIX -w banner=abc" "-H $POSTFIX -c 10:5" "-H $POSTFIX -w nosuchphase=1" \
  "-H $POSTFIX --no-such-option" "-w 1" "-H $POSTFIX --stop-after rcpt" "-H $POSTFIX --format xml" \
  "-H host:99999" "-H $POSTFIX --reject ("; do
  # shellcheck disable=SC2086  # one option per word
  nagios 3 $bad
  assert_state UNKNOWN
done
echo "check_nagios: ok"
