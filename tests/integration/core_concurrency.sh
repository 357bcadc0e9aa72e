#!/usr/bin/env bash
# 50 sessions against a server that waits 1 s before its banner finish together in one process,
# in well under 5 s: no session blocks the event loop.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"

servers=()
for _ in $(seq 50); do servers+=(--server "127.0.0.1:$SLOW_PORT"); done
start=$(date +%s%N)
"$SMTPX" run tests/lua/concurrent_banner.lua "${servers[@]}" --quiet || fail "a session failed"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "50 sessions took ${elapsed_ms} ms"
(( elapsed_ms < 3000 )) || fail "50 sessions took ${elapsed_ms} ms; sequential would be 50 s, concurrent about 1 s"
(( elapsed_ms >= 1000 )) || fail "finished in ${elapsed_ms} ms: the server's 1 s banner delay was not honoured?"
echo "core_concurrency: ok"
