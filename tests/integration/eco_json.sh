#!/usr/bin/env bash
# --json on every subcommand that reports results (issue #8): stdout holds JSON Lines only, one
# object per server, transcript, session or script, in a stable order and with the right
# values (a failing server gives its exit code; a run returns the script's table); what scripts
# print and the summaries go to stderr; no AUTH password appears anywhere. Also `run --junit/--tap`
# (a test case per server), and --json in every subcommand's --help.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
source "$(dirname "$0")/../harness/check_lib.sh"

postfix=$TEST_HOST:$POSTFIX_PORT
exim=$TEST_HOST:$EXIM_PORT
aiosmtpd=$TEST_HOST:$AIOSMTPD_PORT
closed=127.0.0.1:$(closed_port)
fixtures=$SMTPX_ROOT/tests/fixtures/transcripts

# jsonl FILE CODE: every line of FILE is one JSON object and nothing else; then the Python CODE
# runs with them as the list `objs`, and fails the test when an assert in it fails.
jsonl() {
  python3 -c '
import json, sys
objs = []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        obj = json.loads(line)
    except ValueError as e:
        sys.exit(f"line {n} is not JSON ({e}): {line!r}")
    if not isinstance(obj, dict):
        sys.exit(f"line {n} is no JSON object: {line!r}")
    objs.append(obj)
exec(sys.argv[2])
' "$1" "$2" || fail "$1 does not hold the JSON lines expected: $(head -c 3000 "$1")"
}

# no_password FILE...: the test account's password, plain or in base64 (AUTH LOGIN's and AUTH
# PLAIN's payloads), is in none of the files.
no_password() {
  local plain64 login64
  login64=$(printf '%s' "$TEST_PASS" | base64)
  plain64=$(printf '\0%s\0%s' "$TEST_USER" "$TEST_PASS" | base64)
  if grep -F -e "$TEST_PASS" -e "$login64" -e "$plain64" "$@"; then fail "the password is in $*"; fi
}

# wait_listening FILE: waits for "listening on HOST:PORT" in FILE and sets $port.
wait_listening() {
  local i
  for i in $(seq 100); do grep -q '^listening on ' "$1" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*://p' "$1")
  [[ -n $port ]] || fail "nothing listens: $(cat "$1")"
}

# --- run: one object per server in --server order (over two threads), the script's table as
# "result", the failing server's exit code; what the script prints goes to stderr.
cat > "$TEST_TMP/banner.lua" <<'LUA'
local s = smtp.connect(server)
local reply = s:expect(220)
print("printed by the script")
s:send("QUIT")
s:expect(221)
return { code = reply.code, banner = reply.lines[1], n = { 1, 2, 3 } }
LUA
assert_exit 4 "$SMTPX" run "$TEST_TMP/banner.lua" --server "$postfix" --server "$closed" --server "$aiosmtpd" \
  --server "$exim" --threads 2 --json
jsonl "$LAST_STDOUT" "
assert [o['server'] for o in objs] == ['$postfix', '$closed', '$aiosmtpd', '$exim'], objs
assert all(o['command'] == 'run' and o['script'] == '$TEST_TMP/banner.lua' for o in objs)
assert [o['exit_code'] for o in objs] == [0, 4, 0, 0]
assert [o['status'] for o in objs] == ['ok', 'connect', 'ok', 'ok']
ok = objs[0]
assert ok['error'] is None and ok['seconds'] > 0
assert ok['result'] == {'code': 220, 'banner': '220 $POSTFIX_HOSTNAME ESMTP Postfix (testbed)', 'n': [1, 2, 3]}, ok
assert objs[2]['result']['banner'].startswith('220 $AIOSMTPD_HOSTNAME ')
bad = objs[1]
assert bad['result'] is None and 'Connection refused' in bad['error'], bad
"
assert_contains "$LAST_STDERR" "printed by the script"

# Replies returned untouched: their lines and texts are in the JSON (a reply makes them only when
# read), and nothing of the lines in waiting; the EHLO reply has all its lines.
printf '%s\n' 'local s = smtp.connect(server)' 's:expect(220)' 's:send("EHLO client.testbed.local")' \
  'local ehlo = s:expect(250)' 's:send("QUIT")' 'return { ehlo = ehlo, quit = s:expect(221) }' > "$TEST_TMP/reply.lua"
assert_exit 0 "$SMTPX" run "$TEST_TMP/reply.lua" --server "$postfix" --json
jsonl "$LAST_STDOUT" "
quit = objs[0]['result']['quit']
assert quit['lines'] == ['221 2.0.0 Bye'] and quit['texts'] == ['Bye'] and quit['enhanced'] == '2.0.0', quit
assert sorted(quit) == ['captures', 'code', 'elapsed', 'enhanced', 'lines', 'text', 'texts'], quit
ehlo = objs[0]['result']['ehlo']
assert len(ehlo['lines']) > 4 and ehlo['lines'][0].startswith('250-') and ehlo['lines'][-1].startswith('250 '), ehlo
assert ehlo['texts'] == [line[4:] for line in ehlo['lines']] and ehlo['text'] == '\\n'.join(ehlo['texts']), ehlo
"

# A run without a server, and a script that returns no table.
printf 'return false\n' > "$TEST_TMP/false.lua"
assert_exit 1 "$SMTPX" run "$TEST_TMP/false.lua" --json
jsonl "$LAST_STDOUT" "
assert len(objs) == 1 and objs[0]['server'] is None and objs[0]['result'] is None
assert objs[0]['exit_code'] == 1 and objs[0]['status'] == 'failed'
"

# AUTH through the stdlib with the password on the command line: it is nowhere, and the
# per-recipient lines `send` prints went to stderr.
rcpt=ecojson$$@example.com
assert_exit 0 "$SMTPX" run send --server "$postfix" --set to="$rcpt" --set auth=LOGIN --set user="$TEST_USER" \
  --set password="$TEST_PASS" --json
jsonl "$LAST_STDOUT" "assert len(objs) == 1 and objs[0]['exit_code'] == 0 and objs[0]['status'] == 'ok', objs"
assert_contains "$LAST_STDERR" "accepted $rcpt 250"
no_password "$LAST_STDOUT" "$LAST_STDERR"
# A refused password: exit 23, named by its phase.
assert_exit 23 "$SMTPX" run send --server "$postfix" --set to="$rcpt" --set auth=PLAIN --set user="$TEST_USER" \
  --set password=wrong-"$TEST_PASS" --json
jsonl "$LAST_STDOUT" "assert objs[0]['exit_code'] == 23 and objs[0]['status'] == 'auth' and '535' in objs[0]['error'], objs"
no_password "$LAST_STDOUT" "$LAST_STDERR"

# --- run --tap / --junit: a test case per server, named after the script and the server.
assert_exit 4 "$SMTPX" run "$TEST_TMP/banner.lua" --server "$postfix" --server "$closed" --tap - \
  --junit "$TEST_TMP/run.xml" --quiet
assert_eq "TAP version 13" "$(head -n 1 "$LAST_STDOUT")" "TAP header"
assert_contains "$LAST_STDOUT" "ok 1 - banner $postfix"
assert_contains "$LAST_STDOUT" "not ok 2 - banner $closed"
assert_contains "$LAST_STDOUT" "  exit: 4"
if grep -q "printed by the script" "$LAST_STDOUT"; then fail "a script's print is in the TAP report"; fi
python3 -c '
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert suite.get("name") == "smtpx.run.banner" and suite.get("tests") == "2" and suite.get("failures") == "1"
cases = suite.findall("testcase")
assert [c.get("name") for c in cases] == ["banner " + sys.argv[2], "banner " + sys.argv[3]]
assert cases[0].find("failure") is None and cases[1].find("failure").get("type") == "exit 4"
' "$TEST_TMP/run.xml" "$postfix" "$closed" || fail "bad JUnit report: $(cat "$TEST_TMP/run.xml")"
# Only one report may have stdout; the shell has none.
assert_exit 2 "$SMTPX" run "$TEST_TMP/banner.lua" --json --tap -
assert_exit 2 "$SMTPX" shell --server "$postfix" --json
assert_contains "$LAST_STDERR" "shell has no --json"

# --- check: the per-server objects of --format json, one a line; the password stays out.
assert_exit 2 "$SMTPX" check -H "$postfix" -H "$closed" --stop-after auth --auth-user "$TEST_USER" \
  --auth-password "$TEST_PASS" --json
jsonl "$LAST_STDOUT" "
assert [o['target'] for o in objs] == ['$postfix', '$closed']
assert [(o['state'], o['exit_code'], o['success']) for o in objs] == [('OK', 0, True), ('CRITICAL', 2, False)], objs
assert [p['name'] for p in objs[0]['phases'] if p['reached']] == ['dns', 'connect', 'banner', 'ehlo', 'auth', 'quit']
assert objs[1]['failed_step'] == 'connect'
"
no_password "$LAST_STDOUT" "$LAST_STDERR"
# A usage error leaves stdout empty.
assert_exit 3 "$SMTPX" check --json --stop-after never -H "$postfix"
[[ ! -s $LAST_STDOUT ]] || fail "check --json printed on stdout for a usage error: $(cat "$LAST_STDOUT")"
assert_contains "$LAST_STDERR" "SMTP UNKNOWN - --stop-after takes"

# --- replay: one object per transcript, in name order; the summary went to stderr.
assert_exit 0 "$SMTPX" replay "$fixtures/harness" --server "$postfix" --set user="$TEST_USER" \
  --set password="$TEST_PASS" --rewrite rcpt2@example.net=rcpt2@example.com --json --quiet
jsonl "$LAST_STDOUT" "
names = [o['transcript'].rsplit('/', 1)[1] for o in objs]
assert names == ['postfix-auth-login.smtpx', 'postfix-multi-rcpt.smtpx', 'postfix-plain.smtpx'], names
assert all(o['command'] == 'replay' and o['server'] == '$postfix' for o in objs)
assert all(o['passed'] and o['exit_code'] == 0 and o['message'] is None and o['seconds'] > 0 for o in objs), objs
"
assert_contains "$LAST_STDERR" "3 transcripts: 3 passed, 0 failed"
no_password "$LAST_STDOUT" "$LAST_STDERR"
assert_exit 4 "$SMTPX" replay "$fixtures/harness/postfix-plain.smtpx" --server "$closed" --json --quiet
jsonl "$LAST_STDOUT" "assert len(objs) == 1 and not objs[0]['passed'] and objs[0]['exit_code'] == 4 and objs[0]['message'], objs"

# --- import: the format, notes and the transcript's steps; AUTH payloads as placeholders.
assert_exit 0 "$SMTPX" import "$fixtures/postfix-auth-login.telnet.txt" --json
jsonl "$LAST_STDOUT" "
(o,) = objs
assert o['command'] == 'import' and o['exit_code'] == 0 and o['format'] == 'telnet' and o['errors'] == []
assert o['output'] is None and o['transcript']['metadata']['source'] == 'telnet'
steps = o['transcript']['steps']
client = [s['text'] for s in steps if s['kind'] == 'client']
assert client[:2] == ['EHLO client.testbed.local', 'AUTH LOGIN'], client
assert '{{secret:password:base64}}' in client
replies = [s for s in steps if s['kind'] == 'reply']
assert replies[0]['verb'] == '' and replies[0]['lines'][0]['text'].startswith('220 ')
"
no_password "$LAST_STDOUT" "$LAST_STDERR"
# With -o the canonical text goes to the file, the JSON line says where.
assert_exit 0 "$SMTPX" import "$fixtures/postfix-plain.telnet.txt" -o "$TEST_TMP/plain.smtpx" --json
jsonl "$LAST_STDOUT" "assert objs[0]['output'] == '$TEST_TMP/plain.smtpx'"
assert_contains "$TEST_TMP/plain.smtpx" "# smtpx transcript 1"
# A transcript that does not import: exit 31, the errors with their lines.
assert_exit 31 "$SMTPX" import "$fixtures/bad/message-without-end.txt" --json
jsonl "$LAST_STDOUT" "
(o,) = objs
assert o['exit_code'] == 31 and o['format'] is None
assert [e['line'] for e in o['errors']] == [9] and 'no end' in o['errors'][0]['message'], o
"

# --- convert: without -o the text is in the JSON line; with -o the file is written.
assert_exit 0 "$SMTPX" convert "$fixtures/postfix-plain.telnet.txt" --to lua --json
jsonl "$LAST_STDOUT" "
(o,) = objs
assert o['command'] == 'convert' and o['to'] == 'lua' and o['output'] is None and o['format'] == 'telnet'
assert 's:send(\"EHLO client.testbed.local\")' in o['text'], o['text']
"
assert_exit 0 "$SMTPX" convert "$fixtures/postfix-plain.telnet.txt" --to lua -o "$TEST_TMP/plain.lua" --json
jsonl "$LAST_STDOUT" "assert objs[0]['output'] == '$TEST_TMP/plain.lua' and 'text' not in objs[0]"
assert_contains "$TEST_TMP/plain.lua" 's:send("EHLO client.testbed.local")'
assert_exit 31 "$SMTPX" convert "$fixtures/bad/message-without-end.txt" --to lua --json
jsonl "$LAST_STDOUT" "assert objs[0]['exit_code'] == 31 and objs[0]['errors'][0]['line'] == 9"

# --- record: one object per session as it ends; "listening on" and "recorded" go to stderr.
"$SMTPX" record --listen 127.0.0.1:0 --server "$postfix" --out "$TEST_TMP/rec.smtpx" --sessions 2 --json --quiet \
  >"$TEST_TMP/record.out" 2>"$TEST_TMP/record.err" &
record_pid=$!
CHECK_PIDS+=("$record_pid")
wait_listening "$TEST_TMP/record.err"
for n in 1 2; do
  swaks --server "127.0.0.1:$port" --helo client.testbed.local --from sender@testbed.local --to "$rcpt" \
    --auth LOGIN --auth-user "$TEST_USER" --auth-password "$TEST_PASS" >"$TEST_TMP/swaks$n.out" 2>&1 ||
    fail "swaks through the proxy: $(cat "$TEST_TMP/swaks$n.out")"
done
wait "$record_pid" || fail "record exited $?: $(cat "$TEST_TMP/record.err")"
jsonl "$TEST_TMP/record.out" "
assert [o['session'] for o in objs] == ['session 1', 'session 2'], objs
assert [o['file'] for o in objs] == ['$TEST_TMP/rec.smtpx', '$TEST_TMP/rec-2.smtpx']
for o in objs:
    assert o['command'] == 'record' and o['server'] == '$postfix' and o['exit_code'] == 0 and o['error'] is None
    assert o['client'].startswith('127.0.0.1:') and o['lines'] > 20 and o['seconds'] > 0, o
"
assert_contains "$TEST_TMP/record.err" "recorded $TEST_TMP/rec-2.smtpx"
no_password "$TEST_TMP/record.out" "$TEST_TMP/record.err" "$TEST_TMP/rec.smtpx" "$TEST_TMP/rec-2.smtpx"

# --- serve-transcript: one object per session; one client follows the transcript, one does not.
"$SMTPX" serve-transcript "$fixtures/postfix-plain.telnet.txt" --listen 127.0.0.1:0 --sessions 2 --json --quiet \
  >"$TEST_TMP/serve-transcript.out" 2>"$TEST_TMP/serve-transcript.err" &
served_pid=$!
CHECK_PIDS+=("$served_pid")
wait_listening "$TEST_TMP/serve-transcript.err"
assert_exit 0 "$SMTPX" replay "$fixtures/harness/postfix-plain.smtpx" --server "127.0.0.1:$port" --quiet
assert_exit 5 "$SMTPX" run "$TEST_TMP/banner.lua" --server "127.0.0.1:$port" --quiet
code=0
wait "$served_pid" || code=$?
assert_eq 30 "$code" "serve-transcript's exit code"
jsonl "$TEST_TMP/serve-transcript.out" "
assert [(o['session'], o['diverged'], o['exit_code']) for o in objs] == [('session 1', False, 0), ('session 2', True, 30)], objs
assert objs[0]['divergence'] is None and objs[0]['lines'] > 20
assert 'expected \"EHLO client.testbed.local\", got \"QUIT\"' in objs[1]['divergence'], objs[1]
assert all(o['command'] == 'serve-transcript' and o['client'].startswith('127.0.0.1:') for o in objs)
"
assert_contains "$TEST_TMP/serve-transcript.err" "2 sessions: 1 diverged"

# --- list and help SCRIPT.
assert_exit 0 "$SMTPX" list --json
jsonl "$LAST_STDOUT" "
import glob, os
names = sorted(os.path.basename(p)[:-4] for p in glob.glob('$SMTPX_ROOT/scripts/*.lua'))
assert [o['name'] for o in objs] == names, objs
assert all(os.path.isfile(o['path']) and o['summary'] for o in objs)
"
assert_exit 0 "$SMTPX" help send --json
jsonl "$LAST_STDOUT" "
(o,) = objs
assert o['name'] == 'send' and o['summary'].startswith('send a message like swaks')
assert o['description'].startswith('send: send a message like swaks')
options = {x['name']: x['description'] for x in o['options']}
assert options['to'] == 'recipients, also in To: (required)', options
assert options['password'].endswith('or the prompt you get on a terminal'), options['password']
"

# --- serve: a JSON line per probe on stdout.
"$SMTPX" serve --listen 127.0.0.1:0 --json >"$TEST_TMP/serve.out" 2>"$TEST_TMP/serve.err" &
serve_pid=$!
CHECK_PIDS+=("$serve_pid")
for _ in $(seq 100); do
  http=$(sed -n 's|.*listening on \(http://[^/]*/\).*|\1|p' "$TEST_TMP/serve.err")
  [[ -n $http ]] && break
  sleep 0.05
done
[[ -n $http ]] || fail "smtpx serve did not start: $(cat "$TEST_TMP/serve.err")"
curl -sS -o /dev/null "${http}probe?target=$postfix" || fail "probe of $postfix"
curl -sS -o /dev/null "${http}probe?target=$closed" || fail "probe of $closed"
kill "$serve_pid"
wait "$serve_pid" || fail "smtpx serve did not stop cleanly"
jsonl "$TEST_TMP/serve.out" "
assert [(o['target'], o['module'], o['state'], o['success']) for o in objs] == \
  [('$postfix', 'default', 'OK', True), ('$closed', 'default', 'CRITICAL', False)], objs
assert objs[0]['reason'] is None and 'refused' in objs[1]['reason'] and all(o['seconds'] > 0 for o in objs)
"

# --- every subcommand's --help names --json.
for command in run check serve import convert replay serve-transcript record list help; do
  "$SMTPX" "$command" --help >"$TEST_TMP/help.out" 2>&1 || true
  assert_contains "$TEST_TMP/help.out" "--json"
done
