#!/usr/bin/env bash
# Start-up time and memory of the desktop app, in a real window under Xvfb.
#
#   bench/desktop.sh [BUSY_SECONDS] [RUNS]
#
# 1. Start-up: launches the app RUNS times (default 3; the first on an empty data folder, i.e. a first
#    run that creates the database, and with an empty cache folder, so it writes the start-up archive
#    when it quits) and reads the app's own "window shown after N ms (M ms CPU)" log line (time from JVM
#    start to the window on screen, and the CPU used by then: the number that moves little with load).
# 2. RSS idle: the last of those runs, 15 s after the window is up, nothing connected.
# 3. RSS busy: a data folder with 5 auto-connect profiles (imported with --import), each a tunnel
#    through the embedded relay to a local nginx; wrk drives all 5 for BUSY_SECONDS (default 30) at
#    once; RSS is sampled every second (peak and at the end).
# Linux only (Xvfb, /proc). JVM flags: the Linux launcher's (LAUNCHER_OPTS, default as jpackage/options/common.txt
# plus linux.txt: desktop heap, SerialGC, glibc's native-heap trim, the AppCDS archive in a cache folder of this run)
# plus JAVA_OPTS; LAUNCHER_OPTS= measures a bare JVM.
# The app runs from its jar (CDS refuses a folder on the class path).
# DISPLAY_MODE=headless runs it on JavaFX's headless glass platform instead of Xvfb (no GTK: RSS is lower
# than in a real window, so compare headless numbers only with headless ones); LOAD_TOOL=h2load drives
# the tunnels with h2load --h1 instead of wrk. Neither installs the package it replaces.
# Needs the build (jar + classpath):
#   mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -pl desktop-app -am
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/lib.sh"
busy=${1:-30}
runs=${2:-3}

display_mode=${DISPLAY_MODE:-xvfb}
load_tool=${LOAD_TOOL:-wrk}
pkgs=(libgtk-3-0 nginx-light curl)
[ "$display_mode" = headless ] || pkgs+=(xvfb)
[ "$load_tool" = h2load ] && pkgs+=(nghttp2-client) || pkgs+=(wrk)
need_pkgs "${pkgs[@]}"
java=$(find_java)
classes=$root/desktop-app/target/classes
cpfile=$root/desktop-app/target/cp.txt
[ -d "$classes" ] && [ -f "$cpfile" ] || {
  echo "bench: build first: mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -pl desktop-app -am" >&2
  exit 1
}
jar=$(ls "$root"/desktop-app/target/desktop-app-*.jar 2>/dev/null | grep -v -- '-tests' | head -n 1)
[ -n "$jar" ] || { echo "bench: no desktop-app jar: build first (see above)" >&2; exit 1; }
cp="$jar:$(cat "$cpfile")"

work=$(mktemp -d /tmp/portway-desktop-bench-XXXXXX)
chmod 755 "$work"
pids=()
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
launcher_opts=${LAUNCHER_OPTS-"-Xms16m -Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:TrimNativeHeapInterval=5000 -XX:SharedArchiveFile=$work/cache/portway/portway.jsa -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off"}

# A display of our own.
glass=
if [ "$display_mode" = headless ]; then
  glass=-Dglass.platform=Headless
else
  disp=:$((90 + RANDOM % 400))
  Xvfb "$disp" -screen 0 1280x860x24 -nolisten tcp > "$work/xvfb.log" 2>&1 & pids+=($!)
  export DISPLAY=$disp
  for _ in $(seq 1 50); do [ -e "/tmp/.X11-unix/X${disp#:}" ] && break; sleep 0.1; done
fi

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# launch DATA_DIR RELAY_PORT LOG: starts the app (app_pid), waits for its window, sets shown_ms to the
# in-app start-up time. Not in a subshell: app_pid must reach stop_app.
launch() {
  local data=$1 port=$2 log=$3
  # shellcheck disable=SC2086
  "$java" $launcher_opts ${JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -Dprism.order=sw $glass -cp "$cp" dev.portway.desktop.PortwayDesktop --data-dir "$data" \
    --relay-port "$port" > "$log" 2>&1 &
  app_pid=$!
  local i
  for i in $(seq 1 1200); do # up to 2 min: a loaded machine is slow
    grep -q "window shown after" "$log" 2>/dev/null && break
    kill -0 "$app_pid" 2>/dev/null || { echo "bench: the app exited:" >&2; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.1
  done
  shown_ms=$(sed -n 's/.*window shown after \([0-9]*\) ms.*/\1/p' "$log" | head -n 1)
  cpu_ms=$(sed -n 's/.*window shown after [0-9]* ms (\([0-9-]*\) ms CPU).*/\1/p' "$log" | head -n 1)
  [ -n "$shown_ms" ] || { echo "bench: no window after 2 min:" >&2; tail -n 20 "$log" >&2; exit 1; }
}

stop_app() {
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=
}

echo "== Portway desktop benchmark ($(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(date -u +%F), $("$java" -version 2>&1 | head -n 1), $display_mode, software rendering, load by $load_tool, flags: ${launcher_opts:-none} ${JAVA_OPTS:-})"

# ---- 1 + 2: start-up and idle memory
times=()
cpus=()
for i in $(seq 1 "$runs"); do
  launch "$work/idle-data" "$(free_port)" "$work/idle-$i.log"
  times+=("$shown_ms")
  cpus+=("${cpu_ms:-?}")
  if [ "$i" -lt "$runs" ]; then stop_app; fi
done
echo "start-up to a shown window (wall, $(awk '{print "load average " $1}' /proc/loadavg) on $(nproc) cores): ${times[*]} ms"
echo "CPU used by then: ${cpus[*]} ms (the first run creates the database and, with the launchers' flags, writes the start-up archive when it quits)"
[ -f "$work/cache/portway/portway.jsa" ] && echo "start-up archive: $(du -m "$work/cache/portway/portway.jsa" | cut -f1) MiB"
sleep 15
idle=$(rss_kib "$app_pid")
echo "RSS idle, window up, nothing connected: $(mib "$idle") MiB"
stop_app

# ---- 3: five busy tunnels
origin_port=$(free_port)
mkdir -p "$work/www"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$work/www/index.html"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$origin_port; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
wait_port "$origin_port"

{
  echo '{ "format": "portway-profiles", "version": 1, "profiles": ['
  for n in 1 2 3 4 5; do
    [ "$n" -gt 1 ] && echo ','
    echo "{ \"name\": \"Busy $n\", \"kind\": \"http\", \"local_host\": \"127.0.0.1\", \"local_port\": $origin_port,"
    echo "  \"requested_name\": \"busy-$n\", \"auto_connect\": true }"
  done
  echo '] }'
} > "$work/profiles.json"
"$java" -cp "$cp" dev.portway.desktop.PortwayDesktop --data-dir "$work/busy-data" --import "$work/profiles.json" --keep-auto-connect \
  > "$work/import.log" 2>&1 \
  || { cat "$work/import.log" >&2; exit 1; }

relay_port=$(free_port)
launch "$work/busy-data" "$relay_port" "$work/busy.log"
for n in 1 2 3 4 5; do
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: busy-$n.localhost:$relay_port" "http://127.0.0.1:$relay_port/" || true)
    [ "$code" = 200 ] && break
    sleep 0.1
  done
  [ "$code" = 200 ] || { echo "bench: tunnel busy-$n never answered (last: $code)" >&2; tail -n 20 "$work/busy.log" >&2; exit 1; }
done
before=$(rss_kib "$app_pid")
for n in 1 2 3 4 5; do
  if [ "$load_tool" = h2load ]; then
    timeout $((busy + 30)) h2load --h1 -t1 -c4 -D"$busy" -H ":authority: busy-$n.localhost:$relay_port" "http://127.0.0.1:$relay_port/" > "$work/wrk-$n.txt" 2>&1 &
  else
    wrk -t1 -c4 -d"${busy}s" -H "Host: busy-$n.localhost:$relay_port" "http://127.0.0.1:$relay_port/" > "$work/wrk-$n.txt" 2>&1 &
  fi
  pids+=($!)
done
peak=0
for _ in $(seq 1 "$busy"); do
  sleep 1
  r=$(rss_kib "$app_pid")
  [ "$r" -gt "$peak" ] && peak=$r
done
wait "${pids[@]: -5}" 2>/dev/null || true
after=$(rss_kib "$app_pid")
# wrk: "Requests/sec: N", "Latency MEAN ..."; h2load: "finished in Ts, N req/s, ...", "time for request: MIN MAX MEAN ...",
# "requests: ... N failed, N errored".
rps_of() { awk '/Requests\/sec/ {print $2} /^finished in/ {print $4}' "$1"; }
total=0
for n in 1 2 3 4 5; do
  rps=$(rps_of "$work/wrk-$n.txt")
  total=$(awk -v a="$total" -v b="${rps:-0}" 'BEGIN { printf "%.0f", a + b }')
done
for n in 1 2 3 4 5; do
  echo "  busy-$n: $(awk '/Requests\/sec/ {r=$2} /^finished in/ {r=$4} /Latency/ {l=$2} /^time for request:/ {l=$6}
    /Non-2xx|Socket errors/ {e=e" "$0} /^requests:/ && ($10 + $12) > 0 {e=e" "$10" failed, "$12" errored"}
    END {print r " req/s, mean latency " l (e ? ";" e : "")}' "$work/wrk-$n.txt")"
done
echo "RSS with 5 tunnels connected, before traffic: $(mib "$before") MiB"
echo "RSS with 5 tunnels busy ($load_tool -c4 each, ${busy}s, $total req/s in all): peak $(mib "$peak") MiB, at the end $(mib "$after") MiB"
stop_app
