#!/usr/bin/env bash
# The same load against nginx direct, HAProxy, OpenSSH `ssh -R` and a Portway tunnel, in one run on one machine.
#
#   bench/compare.sh [DURATION_SECONDS] [WARMUP_SECONDS]
#
# Everything runs on 127.0.0.1 and is stopped at exit: nginx-light as the origin (a 1 KiB and a 1 MiB file);
# HAProxy in front of it (one proxy hop); a throwaway sshd of its own (own host key and authorized key, own port)
# with `ssh -N -R` forwarding a port to nginx; relay-lite plus `portway connect` (needs the jars:
# mvn -B -DskipTests package). For each, wrk measures: requests/s and p50 at 32 connections on the 1 KiB file
# (wrk -t2 -c32 --latency), one lone connection's p50/p99 (wrk -t1 -c1 --latency), and MB/s on the 1 MiB file
# at 8 connections. Then the table and the targets, each met or not met. Installs what is missing with apt-get.
# RELAY_JAVA_OPTS and ENGINE_JAVA_OPTS add JVM flags to the relay's and the engine's JVM, e.g. a JFR recording:
#   ENGINE_JAVA_OPTS='-XX:StartFlightRecording=filename=/tmp/engine.jfr,settings=profile' bench/compare.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
dur=${1:-10}
warm=${2:-15}

need() { # binary package
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || pkgs+=("$2")
}
pkgs=()
need wrk wrk; need nginx nginx-light; need haproxy haproxy; need sshd openssh-server; need ssh openssh-client; need curl curl
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "bench: installing ${pkgs[*]}" >&2
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
java=$(find_java)
relay_jar=$root/relay-lite/target/relay-lite.jar
cli_jar=$root/desktop-app/target/portway.jar
[ -f "$relay_jar" ] && [ -f "$cli_jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 1; }

work=$(mktemp -d /tmp/portway-compare-XXXXXX)
chmod 755 "$work"  # nginx workers run as another user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

origin_port=$(free_port); haproxy_port=$(free_port); sshd_port=$(free_port); sshr_port=$(free_port); relay_port=$(free_port)

# ---- origin: nginx
mkdir -p "$work/www"
head -c 1024 /dev/urandom > "$work/www/1k.bin"
head -c $((1024 * 1024)) /dev/urandom > "$work/www/1m.bin"
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
  client_body_temp_path $work/nginx-body;
  server { listen 127.0.0.1:$origin_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
wait_port "$origin_port"

# ---- HAProxy: one hop, HTTP mode, keep-alive both sides
cat > "$work/haproxy.cfg" <<CONF
global
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$haproxy_port
  default_backend be
backend be
  server origin 127.0.0.1:$origin_port
CONF
haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 & pids+=($!)
wait_port "$haproxy_port"

# ---- OpenSSH: a throwaway sshd with its own keys, and ssh -N -R to the origin
ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
chmod 600 "$work/authorized_keys"
mkdir -p /run/sshd 2>/dev/null || true   # sshd's privilege-separation directory
cat > "$work/sshd_config" <<CONF
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
LogLevel ERROR
CONF
"$(command -v sshd || echo /usr/sbin/sshd)" -D -e -f "$work/sshd_config" > "$work/sshd.log" 2>&1 & pids+=($!)
wait_port "$sshd_port"
ssh -N -i "$work/client_key" -p "$sshd_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o ExitOnForwardFailure=yes -o BatchMode=yes -o LogLevel=ERROR \
  -R "127.0.0.1:$sshr_port:127.0.0.1:$origin_port" "$(id -un)@127.0.0.1" > "$work/ssh.log" 2>&1 & pids+=($!)
wait_port "$sshr_port"

# ---- Portway: relay + engine
# shellcheck disable=SC2086 # the options are words on purpose
"$java" -Xmx512m ${RELAY_JAVA_OPTS:-} -jar "$relay_jar" --host 127.0.0.1 --port "$relay_port" --token bench-token --data-dir "$work/relay-data" \
  --rate-limit 0 --rate-enterprise 0 > "$work/relay.log" 2>&1 & pids+=($!)
wait_port "$relay_port"
# shellcheck disable=SC2086
"$java" -Xmx512m ${ENGINE_JAVA_OPTS:-} -jar "$cli_jar" connect --relay "ws://127.0.0.1:$relay_port" --token bench-token --quiet \
  --data-dir "$work/client-data" http "$origin_port" --name bench > "$work/engine.log" 2>&1 & pids+=($!)
wait_log "$work/engine.log" "bench.localhost"
pw_host="Host: bench.localhost:$relay_port"

# ---- measuring
to_ms() { # wrk latency (e.g. 812.00us, 1.10ms, 2.01s) -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
to_mbs() { # wrk Transfer/sec (e.g. 512.3MB, 1.02GB) -> MB/s (10^6 bytes)
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /KB$/) n = (v+0)*1024/1e6; else if (v ~ /MB$/) n = (v+0)*1048576/1e6; else if (v ~ /GB$/) n = (v+0)*1073741824/1e6; else if (v ~ /B$/) n = (v+0)/1e6; printf "%.1f", n }'
}
wrk_run() { # threads conns url [host header] -> raw wrk output
  if [ -n "${4:-}" ]; then wrk -t"$1" -c"$2" -d"${dur}s" --latency -H "$4" "$3"; else wrk -t"$1" -c"$2" -d"${dur}s" --latency "$3"; fi
}
declare -A rps p50 lone50 lone99 mbs errs
measure() { # key base-url [host header]
  local out
  out=$(wrk_run 2 32 "$2/1k.bin" "${3:-}")
  rps[$1]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50[$1]=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  errs[$1]=$(awk '/Non-2xx|Socket errors/ {printf "%s; ", $0}' <<<"$out")
  out=$(wrk_run 1 1 "$2/1k.bin" "${3:-}")
  lone50[$1]=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  lone99[$1]=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  errs[$1]+=$(awk '/Non-2xx|Socket errors/ {printf "%s; ", $0}' <<<"$out")
  out=$(wrk_run 2 8 "$2/1m.bin" "${3:-}")
  mbs[$1]=$(to_mbs "$(awk '/Transfer\/sec/ {print $2}' <<<"$out")")
  errs[$1]+=$(awk '/Non-2xx|Socket errors/ {printf "%s; ", $0}' <<<"$out")
}

echo "== Portway vs nginx direct, HAProxy and ssh -R ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F), ${dur}s per measurement)"
echo "(warming up the Portway JVMs for ${warm}s)"
wrk -t2 -c32 -d"${warm}s" -H "$pw_host" "http://127.0.0.1:$relay_port/1k.bin" >/dev/null
wrk -t2 -c8 -d"$(( warm / 3 + 1 ))s" -H "$pw_host" "http://127.0.0.1:$relay_port/1m.bin" >/dev/null
for t in direct haproxy ssh portway; do
  case $t in
    direct)  measure direct  "http://127.0.0.1:$origin_port" ;;
    haproxy) measure haproxy "http://127.0.0.1:$haproxy_port" ;;
    ssh)     measure ssh     "http://127.0.0.1:$sshr_port" ;;
    portway) measure portway "http://127.0.0.1:$relay_port" "$pw_host" ;;
  esac
done

printf '\n| %-14s | %10s | %12s | %13s | %13s | %15s |\n' "" "req/s c32" "p50 c32 ms" "lone p50 ms" "lone p99 ms" "1 MiB c8 MB/s"
printf '|%s|%s|%s|%s|%s|%s|\n' "----------------" "------------" "--------------" "---------------" "---------------" "-----------------"
for t in direct haproxy ssh portway; do
  case $t in direct) l="nginx direct";; haproxy) l="HAProxy";; ssh) l="ssh -R";; portway) l="Portway";; esac
  printf '| %-14s | %10s | %12s | %13s | %13s | %15s |\n' "$l" "${rps[$t]}" "${p50[$t]}" "${lone50[$t]}" "${lone99[$t]}" "${mbs[$t]}"
done
for t in direct haproxy ssh portway; do [ -z "${errs[$t]}" ] || echo "errors ($t): ${errs[$t]}"; done

echo
check() { # label value op limit
  local ok
  ok=$(awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { print ((op == ">=" && v >= l) || (op == "<=" && v <= l)) ? "met" : "not met" }')
  printf '%-52s %10s  (target %s %s)  %s\n' "$1" "$2" "$3" "$4" "$ok"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
echo "== targets"
check "requests/s: Portway / ssh -R" "$(ratio "${rps[portway]}" "${rps[ssh]}")" ">=" 2
check "requests/s: Portway / direct" "$(ratio "${rps[portway]}" "${rps[direct]}")" ">=" 0.5
check "1 MiB MB/s: Portway / ssh -R" "$(ratio "${mbs[portway]}" "${mbs[ssh]}")" ">=" 2
check "loaded p50: Portway / HAProxy" "$(ratio "${p50[portway]}" "${p50[haproxy]}")" "<=" 2
check "lone request p50 added over direct (ms)" "$(diff_ms "${lone50[portway]}" "${lone50[direct]}")" "<=" 0.3
check "lone request p99 added over direct (ms)" "$(diff_ms "${lone99[portway]}" "${lone99[direct]}")" "<=" 2
