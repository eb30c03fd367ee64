#!/usr/bin/env bash
# Throughput and latency through a Portway tunnel against the same origin direct.
#
#   bench/tunnel.sh [DURATION_SECONDS] [CONNECTIONS] [WARMUP_SECONDS]
#
# Starts nginx-light as the local origin (1 KiB page and a 256 MiB file), relay-lite, and the
# engine (`portway connect`), all on loopback; then runs wrk against nginx direct and through the
# tunnel, and times a large download both ways. Needs the jars: mvn -B -DskipTests package.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
dur=${1:-10}
conns=${2:-32}
warm=${3:-20}

need_pkgs wrk nginx-light curl
java=$(find_java)
relay_jar=$root/relay-lite/target/relay-lite.jar
cli_jar=$root/desktop-app/target/portway.jar
[ -f "$relay_jar" ] && [ -f "$cli_jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 1; }

work=$(mktemp -d /tmp/portway-bench-XXXXXX)
chmod 755 "$work"  # nginx workers run as www-data
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

origin_port=$(free_port); relay_port=$(free_port)
mkdir -p "$work/www"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$work/www/index.html"
head -c $((256 * 1024 * 1024)) /dev/zero > "$work/www/big.bin"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$origin_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
wait_port "$origin_port"

"$java" -Xmx512m -jar "$relay_jar" --host 127.0.0.1 --port "$relay_port" --token bench-token --rate-limit 0 --rate-enterprise 0 > "$work/relay.log" 2>&1 & pids+=($!)
wait_port "$relay_port"
"$java" -Xmx512m -jar "$cli_jar" connect --relay "ws://127.0.0.1:$relay_port" --token bench-token --quiet \
  http "$origin_port" --name bench > "$work/engine.log" 2>&1 & pids+=($!)
wait_log "$work/engine.log" "bench.localhost"

tunnel_url="http://127.0.0.1:$relay_port/t/bench"
host_hdr="Host: bench.localhost:$relay_port"
direct_url="http://127.0.0.1:$origin_port"

echo "== Portway tunnel benchmark ($(nproc) cores, $(date -u +%F), wrk -t2 -c$conns -d${dur}s, 1 KiB page)"
run_wrk() { # label url [header]
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -H "$3" "$2"); else out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency "$2"); fi
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%-22s %10s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "$errs"
}
# Warm up the JIT on both JVMs first: the first seconds run interpreted and are several times slower.
echo "(warming up for ${warm}s)"
wrk -t2 -c"$conns" -d"${warm}s" -H "$host_hdr" "http://127.0.0.1:$relay_port/index.html" >/dev/null
curl -s -o /dev/null -H "$host_hdr" "http://127.0.0.1:$relay_port/big.bin"
run_wrk "nginx direct" "$direct_url/index.html"
run_wrk "through tunnel (Host)" "http://127.0.0.1:$relay_port/index.html" "$host_hdr"
run_wrk "through tunnel (path)" "$tunnel_url/index.html"

echo "== 256 MiB download"
dl() { # label url [header]
  local s
  if [ -n "${3:-}" ]; then s=$(curl -s -o /dev/null -w '%{speed_download} %{size_download}' -H "$3" "$2"); else s=$(curl -s -o /dev/null -w '%{speed_download} %{size_download}' "$2"); fi
  awk -v l="$1" '{printf "%-22s %8.1f MB/s  (%d bytes)\n", l, $1/1e6, $2}' <<<"$s"
}
dl "nginx direct" "$direct_url/big.bin"
dl "through tunnel" "http://127.0.0.1:$relay_port/big.bin" "$host_hdr"

rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
echo "== memory after the run: relay RSS $(rss "${pids[1]}"), engine RSS $(rss "${pids[2]}")"
