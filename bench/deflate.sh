#!/usr/bin/env bash
# permessage-deflate on the client↔relay WebSocket, on vs off.
#
#   bench/deflate.sh [DURATION_SECONDS] [CONNECTIONS] [ROUNDS]
#
# Starts nginx-light as the origin with a 1 MiB JSON-like file and a 1 MiB incompressible ("JPEG-like") one, and
# two stacks on loopback: relay-lite + `portway connect` with --ws-compression on, and the same with off. Then,
# ROUNDS times (default 3), interleaved, for each file and each stack: wrk (CONNECTIONS connections, default 8) for
# DURATION_SECONDS (default 5) downloading the file through the tunnel. Per case it prints MB/s, the bytes that
# crossed the engine's WebSocket (the kernel's counters of that socket, via ss), and the CPU time the relay and
# the engine used, per MiB delivered; then the median of the rounds. Needs the jars: mvn -B -DskipTests package.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
dur=${1:-5}
conns=${2:-8}
rounds=${3:-3}

need_pkgs wrk nginx-light iproute2
java=$(find_java)
relay_jar=$root/relay-lite/target/relay-lite.jar
cli_jar=$root/desktop-app/target/portway.jar
[ -f "$relay_jar" ] && [ -f "$cli_jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 1; }

work=$(mktemp -d /tmp/portway-deflate-XXXXXX)
chmod 755 "$work"  # nginx workers run as www-data
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/www"
python3 - "$work/www" <<'PY'
import json, os, random, sys
random.seed(42)
out, rows, size = [], 0, 1024 * 1024
text = ""
while len(text) < size:
    rows += 1
    out.append(json.dumps({"id": rows, "name": "user-%d" % random.randrange(100000),
                           "email": "u%d@example.com" % random.randrange(10**6), "active": random.random() < 0.5,
                           "score": random.random(), "tags": random.sample(["a", "b", "c", "d", "e", "f"], 3)}))
    if rows % 256 == 0:
        text = "[" + ",\n".join(out) + "]"
open(os.path.join(sys.argv[1], "text.json"), "w").write(("[" + ",\n".join(out) + "]")[:size])
open(os.path.join(sys.argv[1], "photo.jpg"), "wb").write(os.urandom(size))
PY
origin_port=$(free_port)
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  gzip off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$origin_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
wait_port "$origin_port"

declare -A relay_pid engine_pid relay_port
for mode in on off; do
  port=$(free_port)
  relay_port[$mode]=$port
  "$java" -Xmx256m -jar "$relay_jar" --host 127.0.0.1 --port "$port" --token bench-token --rate-limit 0 --rate-enterprise 0 \
    --data-dir "$work/relay-$mode" --ws-compression "$mode" > "$work/relay-$mode.log" 2>&1 & pids+=($!)
  relay_pid[$mode]=$!
  wait_port "$port"
  "$java" -Xmx256m -jar "$cli_jar" connect --relay "ws://127.0.0.1:$port" --token bench-token --quiet --ws-compression "$mode" \
    --data-dir "$work/engine-$mode" http "$origin_port" --name bench > "$work/engine-$mode.log" 2>&1 & pids+=($!)
  engine_pid[$mode]=$!
  wait_log "$work/engine-$mode.log" "bench.localhost"
done

# Bytes both ways on the engine's WebSocket: kernel counters of its socket to the relay (bytes_acked + bytes_received).
ws_bytes() { # mode
  ss -tnpi state established "( dport = :${relay_port[$1]} )" | awk -v pid="pid=${engine_pid[$1]}," '
    index($0, pid) { take = 1; next }
    take { a = 0; r = 0
           for (i = 1; i <= NF; i++) { if ($i ~ /^bytes_acked:/) { split($i, x, ":"); a = x[2] } if ($i ~ /^bytes_received:/) { split($i, x, ":"); r = x[2] } }
           s += a + r; take = 0 }
    END { printf "%d", s }'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

echo "== permessage-deflate benchmark ($(nproc) cores, $(date -u +%F), load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t2 -c$conns -d${dur}s, 1 MiB files, $rounds interleaved rounds)"
echo "(warming up both stacks)"
for mode in on off; do
  for f in text.json photo.jpg; do
    wrk -t2 -c"$conns" -d"$dur"s -H "Host: bench.localhost:${relay_port[$mode]}" "http://127.0.0.1:${relay_port[$mode]}/$f" >/dev/null
  done
done
results=$work/results.tsv
printf '%-10s %-4s %-5s %9s %14s %14s %14s\n' file mode round "MB/s" "WS bytes/MiB" "relay CPU/MiB" "engine CPU/MiB"
for round in $(seq 1 "$rounds"); do
  for f in text.json photo.jpg; do
    for mode in on off; do
      port=${relay_port[$mode]}
      b0=$(ws_bytes "$mode"); r0=$(cpu_ticks "${relay_pid[$mode]}"); e0=$(cpu_ticks "${engine_pid[$mode]}")
      out=$(wrk -t2 -c"$conns" -d"$dur"s -H "Host: bench.localhost:$port" "http://127.0.0.1:$port/$f")
      b1=$(ws_bytes "$mode"); r1=$(cpu_ticks "${relay_pid[$mode]}"); e1=$(cpu_ticks "${engine_pid[$mode]}")
      reqs=$(awk '/requests in/ {print $1}' <<<"$out")
      errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
      [ -z "$errs" ] || echo "bench: $f $mode round $round: $errs" >&2
      awk -v f="$f" -v m="$mode" -v r="$round" -v n="$reqs" -v d="$dur" -v b=$((b1 - b0)) -v rc=$((r1 - r0)) -v ec=$((e1 - e0)) -v t="$tck" '
        BEGIN { mib = n; if (mib < 1) mib = 1
                printf "%s\t%s\t%s\t%.1f\t%.0f\t%.1f\t%.1f\n", f, m, r, n * 1.048576 / d, b / mib, rc / t * 1000 / mib, ec / t * 1000 / mib }' >> "$results"
      tail -n 1 "$results" | awk -F'\t' '{printf "%-10s %-4s %-5s %9s %14s %12s ms %12s ms\n", $1, $2, $3, $4, $5, $6, $7}'
    done
  done
done
echo "== medians of $rounds rounds (WS bytes and CPU per MiB delivered)"
printf '%-10s %-4s %9s %14s %14s %14s\n' file mode "MB/s" "WS bytes/MiB" "relay CPU/MiB" "engine CPU/MiB"
for f in text.json photo.jpg; do
  for mode in on off; do
    awk -F'\t' -v f="$f" -v m="$mode" '$1 == f && $2 == m' "$results" | python3 -c '
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip()]
med = [statistics.median(float(r[i]) for r in rows) for i in range(3, 7)]
print("%-10s %-4s %9.1f %14.0f %11.1f ms %11.1f ms" % (rows[0][0], rows[0][1], *med))'
  done
done
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
echo "== memory after the run: relay RSS on $(rss "${relay_pid[on]}") / off $(rss "${relay_pid[off]}"), engine RSS on $(rss "${engine_pid[on]}") / off $(rss "${engine_pid[off]}")"
