#!/usr/bin/env bash
# What the node-to-node hop of a relay cluster costs (docs/cluster.md "Any node serves any tunnel").
#
#   bench/cluster-hop.sh [DURATION_SECONDS] [CONNECTIONS] [WARMUP_SECONDS]
#
# Starts a PostgreSQL (initdb in a temporary folder), nginx-light as the local origin (1 KiB page, 64 MiB
# file), two relay-lite nodes on that PostgreSQL, and the engine connected to node B; then runs wrk and a
# large download against node B (the tunnel's own node: a single-node request) and against node A (the
# visitor's node: one extra hop over the node link), and prints what the hop costs. Target: the hop costs
# at most 25 % of single-node requests/s. Then the same for a TCP tunnel to the same nginx (a second engine; its
# port is the cluster's, so node A listens on it too: docs/cluster.md "TCP tunnels on every node"). Node B runs on
# 127.0.0.2 so both nodes can listen on that one port. Needs the jars: mvn -B -DskipTests package.
# PORTWAY_BENCH_RELAY_OPTS adds JVM options to both nodes (a profile: "-XX:StartFlightRecording=filename=/tmp/n.jfr"
# writes one recording per node, as /tmp/n.jfr is made unique with %p: "filename=/tmp/node-%p.jfr").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
dur=${1:-10}
conns=${2:-32}
warm=${3:-20}

need_pkgs wrk nginx-light curl postgresql
java=$(find_java)
pg_bin=${PORTWAY_PG_BIN:-/usr/lib/postgresql/15/bin}
relay_jar=$root/relay-lite/target/relay-lite.jar
cli_jar=$root/desktop-app/target/portway.jar
[ -f "$relay_jar" ] && [ -f "$cli_jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 1; }

work=$(mktemp -d /tmp/portway-hop-XXXXXX)
chmod 755 "$work"
pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(free_port); origin_port=$(free_port); port_a=$(free_port); port_b=$(free_port)
link_a=$(free_port); link_b=$(free_port)
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $work/pg -F" start >/dev/null
db="jdbc:postgresql://127.0.0.1:$pg_port/postgres"

mkdir -p "$work/www"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$work/www/index.html"
head -c $((64 * 1024 * 1024)) /dev/zero > "$work/www/big.bin"
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
pid_nginx=$!
wait_port "$origin_port"
pid_nginx_worker=$(pgrep -P "$pid_nginx" | head -1)

node() { # id host port link_port — node B on 127.0.0.2, so both nodes can listen on one TCP tunnel's port
  mkdir -p "$work/$1"
  PORTWAY_CLUSTER_SECRET=bench-cluster-secret-0123456789 "$java" -Xmx512m ${PORTWAY_BENCH_RELAY_OPTS:-} -jar "$relay_jar" --host "$2" --port "$3" \
    --token bench-token --rate-limit 0 --rate-enterprise 0 --data-dir "$work/$1" --db "$db" --db-user postgres \
    --tcp-ports 0-0 --node-id "$1" --cluster-address "$2:$4" > "$work/$1.log" 2>&1 & pids+=($!)
  eval "pid_${1//-/_}=$!"
  wait_log "$work/$1.log" "listening on $2:$3"
}
node relay-a 127.0.0.1 "$port_a" "$link_a"
node relay-b 127.0.0.2 "$port_b" "$link_b"
"$java" -Xmx512m -jar "$cli_jar" connect --relay "ws://127.0.0.2:$port_b" --token bench-token --quiet --data-dir "$work/engine-$RANDOM" \
  http "$origin_port" --name bench > "$work/engine.log" 2>&1 & pids+=($!)
pid_engine=$!
# A TCP tunnel to the same nginx: its port is the cluster's, node A listens on it too and carries it over the link.
"$java" -Xmx512m -jar "$cli_jar" connect --relay "ws://127.0.0.2:$port_b" --token bench-token --quiet --data-dir "$work/engine-$RANDOM" \
  tcp "$origin_port" --name raw > "$work/engine-tcp.log" 2>&1 & pids+=($!)
pid_engine_tcp=$!
wait_log "$work/engine.log" "bench.localhost"
wait_log "$work/engine-tcp.log" "tcp://"
tcp_port=$(grep -o 'tcp://[^ ]*' "$work/engine-tcp.log" | head -1 | sed 's/.*://')
wait_log "$work/relay-a.log" "Node link to relay-b"
wait_log "$work/relay-a.log" "Listening on port $tcp_port"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system CPU of a process, in clock ticks
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; } # the machine's busy and idle ticks
run_wrk() { # label port [host]  → prints a line, sets rps, and the CPU each process spent per 1,000 requests
  local out p50 p99 errs a0 b0 e0 n0 m0 a1 b1 e1 n1 m1 total
  a0=$(ticks "$pid_relay_a"); b0=$(ticks "$pid_relay_b"); e0=$(ticks "${engine_pid:-$pid_engine}"); n0=$(ticks "$pid_nginx_worker"); m0=$(busy)
  out=$(${pin_wrk:-} wrk -t2 -c"$conns" -d"${dur}s" --latency -H "Host: bench.localhost:$2" "http://${3:-127.0.0.1}:$2/index.html")
  a1=$(ticks "$pid_relay_a"); b1=$(ticks "$pid_relay_b"); e1=$(ticks "${engine_pid:-$pid_engine}"); n1=$(ticks "$pid_nginx_worker"); m1=$(busy)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%-34s %10s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "$errs"
  total=$(awk -v r="$rps" -v d="$dur" 'BEGIN {print r * d}')
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v e=$((e1 - e0)) -v n=$((n1 - n0)) \
      -v m0="$m0" -v m1="$m1" 'BEGIN { split(m0, x, " "); split(m1, y, " "); bz = y[1] - x[1]; id = y[2] - x[2]
        k = 1000 / t * 1000 / hz
        printf "  CPU ms per 1,000 requests: node A %.0f, node B %.0f, engine %.0f, nginx %.0f; machine busy %.0f %%\n",
          a * k, b * k, e * k, n * k, 100 * bz / (bz + id) }'
}
dl() { # label port [host]
  curl -s -o /dev/null -w '%{speed_download}\n' -H "Host: bench.localhost:$2" "http://${3:-127.0.0.1}:$2/big.bin" \
    | awk -v l="$1" '{printf "%-34s %8.1f MB/s\n", l, $1/1e6}'
}
echo "== Cluster hop benchmark ($(nproc) cores, $(date -u +%F), wrk -t2 -c$conns -d${dur}s, 1 KiB page)"
echo "(warming up for ${warm}s on each node)"
wrk -t2 -c"$conns" -d"${warm}s" -H "Host: bench.localhost:$port_b" "http://127.0.0.2:$port_b/index.html" >/dev/null
wrk -t2 -c"$conns" -d"${warm}s" -H "Host: bench.localhost:$port_a" "http://127.0.0.1:$port_a/index.html" >/dev/null
run_wrk "node B (the tunnel's node)" "$port_b" 127.0.0.2; single=$rps
run_wrk "node A (one hop to node B)" "$port_a"; hop=$rps
awk -v s="$single" -v h="$hop" 'BEGIN { c = (1 - h / s) * 100; printf "hop cost: %.1f %% of single-node requests/s (target <= 25 %%): %s\n", c, (c <= 25 ? "met" : "NOT met") }'
echo "== 64 MiB download"
dl "node B (the tunnel's node)" "$port_b" 127.0.0.2
dl "node A (one hop to node B)" "$port_a"
echo "== TCP tunnel to the same nginx (port $tcp_port on both nodes; HTTP/1.1 keep-alive through the raw bytes)"
wrk -t2 -c"$conns" -d"${warm}s" "http://127.0.0.2:$tcp_port/index.html" >/dev/null
wrk -t2 -c"$conns" -d"${warm}s" "http://127.0.0.1:$tcp_port/index.html" >/dev/null
engine_pid=$pid_engine_tcp # the TCP tunnel's engine
run_wrk "TCP, node B (the tunnel's node)" "$tcp_port" 127.0.0.2; tsingle=$rps
run_wrk "TCP, node A (one hop to node B)" "$tcp_port" 127.0.0.1; thop=$rps
awk -v s="$tsingle" -v h="$thop" 'BEGIN { c = (1 - h / s) * 100; printf "TCP hop cost: %.1f %% of single-node requests/s\n", c }'
dl "TCP 64 MiB, node B" "$tcp_port" 127.0.0.2
dl "TCP 64 MiB, node A (one hop)" "$tcp_port" 127.0.0.1
# The same HTTP runs with the nodes on separate cores, a model of the cluster's nodes on separate machines: node A
# (and wrk, the visitors) on core 0; node B, its client's engine and the origin on core 1. In the runs above all of
# them share both cores, so a hop's requests/s also pays for node A's CPU being taken from node B. Needs 2+ cores.
if [ "$(nproc)" -ge 2 ] && [ "${PORTWAY_BENCH_PINNED:-1}" != 0 ] && command -v taskset >/dev/null; then
  echo "== HTTP with the nodes on separate cores (node A and wrk on core 0; node B, the engine and nginx on core 1)"
  taskset -a -p -c 0 "$pid_relay_a" >/dev/null
  for p in "$pid_relay_b" "$pid_engine" "$pid_engine_tcp" "$pid_nginx_worker"; do taskset -a -p -c 1 "$p" >/dev/null; done
  pin_wrk="taskset -c 0"
  engine_pid=$pid_engine
  wrk -t2 -c"$conns" -d"${warm}s" -H "Host: bench.localhost:$port_a" "http://127.0.0.1:$port_a/index.html" >/dev/null
  run_wrk "node B (the tunnel's node)" "$port_b" 127.0.0.2; single=$rps
  run_wrk "node A (one hop to node B)" "$port_a"; hop=$rps
  awk -v s="$single" -v h="$hop" 'BEGIN { c = (1 - h / s) * 100; printf "hop cost, nodes on separate cores: %.1f %% of single-node requests/s (target <= 25 %%): %s\n", c, (c <= 25 ? "met" : "NOT met") }'
fi
