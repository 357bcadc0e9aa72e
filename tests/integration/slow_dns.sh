#!/usr/bin/env bash
# A name server that never answers holds up only the session that waits for its lookup, and
# for no longer than the connect timeout (net::HostResolver). Real glibc resolver, real
# smtp-sink and the real smtpx binary, in a private network and mount namespace whose
# /etc/resolv.conf names a black-hole name server on 127.0.0.1 (tests/harness/blackhole_dns.py).
# Before the resolver had helper threads, the sink's session below waited the resolver's full
# 10 s (timeout:5, attempts:2) with the lookup.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

((EUID == 0)) || skip "needs root: a network namespace with its own resolv.conf"
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
unshare --net --mount true 2>/dev/null || skip "this machine (a container?) allows no new network and mount namespace"

printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:2\n' >"$TEST_TMP/resolv.conf"
cat >"$TEST_TMP/two_sessions.lua" <<'LUA'
local started = smtp.now()
local lookup = smtp.spawn(function()
  local ok, err = pcall(smtp.connect, "mx.dead-dns.test:25", { connect_timeout = 2 })
  return ok, err and err.kind, err and err.message, smtp.now() - started
end)
local s = smtp.connect("127.0.0.1:2525")
s:expect("2xx")
s:send("HELO slow-dns.test") s:expect("250")
s:send("QUIT") s:expect("221")
print(string.format("sink session done after %.2f s", smtp.now() - started))
local ok, kind, message, after = smtp.join(lookup)
print(string.format("lookup: ok=%s kind=%s after %.2f s: %s", ok, kind, after, message))
return 0
LUA

# Runs inside the namespaces: the black hole first (it brings loopback up), then smtp-sink.
cat >"$TEST_TMP/inside.sh" <<'SH'
set -euo pipefail
dir=$1; shift
mount --make-rprivate /
mount --bind "$dir/resolv.conf" /etc/resolv.conf
/usr/bin/python3 "$SMTPX_ROOT/tests/harness/blackhole_dns.py" "$dir/dns.ready" &
for _ in $(seq 50); do [[ -e $dir/dns.ready ]] && break; sleep 0.1; done
smtp-sink -u nobody 127.0.0.1:2525 64 &
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/2525) 2>/dev/null && break; sleep 0.1; done
status=0
"$@" || status=$?
kill %1 %2
exit "$status"
SH

started=$(date +%s%N)
assert_exit 0 env SMTPX_ROOT="$SMTPX_ROOT" unshare --net --mount bash "$TEST_TMP/inside.sh" "$TEST_TMP" \
  "$SMTPX" run "$TEST_TMP/two_sessions.lua" --quiet
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
sink_after=$(sed -n 's/^sink session done after \([0-9.]*\) s$/\1/p' "$LAST_STDOUT")
[[ -n $sink_after ]] || fail "no line from the sink's session: $(cat "$LAST_STDOUT")"
awk "BEGIN { exit !($sink_after < 1) }" || fail "the sink's session waited for the other's lookup: $sink_after s"
assert_contains "$LAST_STDOUT" "lookup: ok=false kind=connect after 2."
assert_contains "$LAST_STDOUT" "cannot resolve host name 'mx.dead-dns.test': no answer within 2 s"
((elapsed_ms < 6000)) || fail "the run took $elapsed_ms ms: the lookup was not cut at 2 s"

# smtpx check: the dns phase fails within what -t leaves, with Nagios' CRITICAL.
assert_exit 2 env SMTPX_ROOT="$SMTPX_ROOT" unshare --net --mount bash "$TEST_TMP/inside.sh" "$TEST_TMP" \
  "$SMTPX" check -H mx.dead-dns.test -t 2
assert_contains "$LAST_STDOUT" "dns: cannot resolve host name 'mx.dead-dns.test': no answer within"
echo "slow_dns: ok"
