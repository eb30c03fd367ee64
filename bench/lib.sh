# Helpers shared by the bench scripts. Source it; it does nothing on its own.

# Finds a JDK 25+ java: $JAVA_HOME, then /usr/lib/jvm, then PATH.
find_java() {
  local c
  for c in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*2[6-9]*/bin/java "$(command -v java || true)"; do
    [ -x "$c" ] || continue
    local v
    v=$("$c" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  echo "bench: no JDK 25 found; set JAVA_HOME" >&2
  return 1
}

# Installs Debian packages that are missing (the machine is root; CI and fresh machines lack them).
need_pkgs() {
  local missing=()
  local p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until a TCP port accepts connections (max ~20 s).
wait_port() {
  local i
  for i in $(seq 1 200); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing came up on port $1" >&2
  return 1
}

# Waits until a command's output contains a string (max ~30 s).
wait_log() {
  local file=$1 text=$2 i
  for i in $(seq 1 300); do
    grep -q -- "$text" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: '$text' never appeared in $file:" >&2
  tail -n 20 "$file" >&2
  return 1
}
