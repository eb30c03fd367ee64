#!/usr/bin/env bash
# Memory of one relay holding many idle tunnels.
#
#   bench/idle-tunnels.sh [SESSIONS] [TUNNELS_PER_SESSION] [SETTLE_SECONDS] [DEFLATE]
#
# Starts relay-lite (JVM flags from RELAY_JAVA_OPTS, default -Xmx512m as in bench/tunnel.sh), then one JVM with
# SESSIONS client sessions (default 2,000) of TUNNELS_PER_SESSION HTTP tunnels each (default 5: 10,000 tunnels),
# all idle on loopback (bench/IdleClients.java speaks the protocol with Netty's WebSocket client; DEFLATE on, the
# default here, starts the relay with --ws-compression on and has every session negotiate permessage-deflate and
# compress what it sends). After every
# tunnel is bound it waits SETTLE_SECONDS (default 20, under the 45 s dead-after) and prints the relay's RSS
# against the target of 512 MiB. Needs the relay jar: mvn -B -DskipTests package.
# All sessions come from 127.0.0.1, so the relay's per-address connection cap (256) and per-user limits are raised;
# the total connection cap stays at its default (10,000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
sessions=${1:-2000}
per=${2:-5}
settle=${3:-20}
deflate=${4:-on}
opts=${RELAY_JAVA_OPTS:--Xmx512m}

java=$(find_java)
relay_jar=$root/relay-lite/target/relay-lite.jar
[ -f "$relay_jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/portway-idle-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

relay_port=$(free_port)
# shellcheck disable=SC2086
"$java" $opts -jar "$relay_jar" --host 127.0.0.1 --port "$relay_port" --token idle-token --data-dir "$work/relay-data" \
  --max-tunnels-per-user 1000000 --max-connections-per-user 1000000 --max-connections-per-ip 100000 \
  --ws-compression "$deflate" > "$work/relay.log" 2>&1 & pids+=($!)
relay_pid=$!
wait_port "$relay_port"
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
echo "== idle tunnels: $sessions sessions x $per tunnels on one relay ($opts, permessage-deflate $deflate), $(nproc) cores, $(date -u +%F)"
echo "relay RSS at start: $(rss "$relay_pid") MiB"

"$java" -Xmx1g -cp "$relay_jar" "$here/IdleClients.java" "ws://127.0.0.1:$relay_port" idle-token "$sessions" "$per" "$deflate" > "$work/clients.log" 2>&1 & pids+=($!)
for _ in $(seq 1 18000); do   # up to 30 min: on a loaded machine sessions connect slowly
  grep -q "idle-clients: \(ready\|incomplete\)" "$work/clients.log" 2>/dev/null && break
  kill -0 "${pids[1]}" 2>/dev/null || break
  sleep 0.1
done
grep "idle-clients: [0-9]* of" "$work/clients.log" || { echo "bench: the clients never finished binding:" >&2; tail -n 20 "$work/clients.log" >&2; exit 1; }
grep -q "idle-clients: ready" "$work/clients.log" || { echo "bench: not every tunnel was bound; relay log:" >&2; tail -n 20 "$work/relay.log" >&2; exit 1; }
echo "relay RSS with all tunnels bound: $(rss "$relay_pid") MiB"
sleep "$settle"
r=$(rss "$relay_pid")
verdict="met"; [ "$r" -le 512 ] || verdict="not met"
echo "relay RSS after ${settle}s idle: $r MiB (target <= 512 MiB: $verdict)"
