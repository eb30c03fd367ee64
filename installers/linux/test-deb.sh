#!/usr/bin/env bash
# Tests the .deb as a user would (run by .ci/run, as root, on a Debian machine it may change):
#   1. builds the .deb (installers/linux/build.sh) and a second one, the same build with a newer version;
#   2. installs it (apt-get install ./x.deb): the launcher, the menu entry (checked with desktop-file-validate) and the icons are in place;
#   3. runs the installed launcher with --self-test against a local web server (python3 -m http.server),
#      with no display;
#   4. makes user data (a profile, in the XDG data folder of a test user), installs the newer .deb over the
#      older one: the data is still there and the upgraded app still passes its self-test;
#   5. apt-get remove, then apt-get purge: every file of the package, the menu entry and the icons are gone; the user's
#      data stays (it lives in the user's home, which no package owns).
# --skip-maven reuses the jars of an earlier build (passed on to build.sh). Prints the time of each step. Any failure stops the script with a message and a non-zero exit.
# Every install and removal goes through apt-get with a lock timeout (apt-wait.sh): a package lock held by a
# concurrent install makes the test wait (up to 300 s), not fail.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. installers/linux/apt-wait.sh
t0=$EPOCHREALTIME
phase_start=$t0
phase() { phase_start=$EPOCHREALTIME; printf '\n=== %s\n' "$*"; }
took() { awk -v a="$phase_start" -v b="$EPOCHREALTIME" -v w="$1" 'BEGIN { printf "--- %s: %.1f s\n", w, b - a }'; }
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }
check() { local what=$1; shift; if "$@"; then echo "ok   $what"; else fail "$what"; fi; }

[ "$(id -u)" = 0 ] || fail "run me as root: I install and remove a package (apt-get install / remove)"
if dpkg -s portway >/dev/null 2>&1; then
  fail "portway is already installed here; remove it first (apt-get purge portway) — this test installs and removes it"
fi

# What installing needs (the .deb depends on GTK 3), what the test uses, what building needs.
need=()
dpkg -s libgtk-3-0 >/dev/null 2>&1 || need+=(libgtk-3-0)
command -v python3 >/dev/null || need+=(python3)
command -v fakeroot >/dev/null || need+=(fakeroot)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-deb: installing ${need[*]}"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d /tmp/portway-test-deb-XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  if dpkg -s portway >/dev/null 2>&1; then apt_get purge -y -qq portway >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- 1. build ---------------------------------------------------------------------------------------------
# Fast compression: the test packages are thrown away; release builds keep dpkg-deb's default (xz).
export DPKG_DEB_COMPRESSOR_TYPE=gzip DPKG_DEB_COMPRESSOR_LEVEL=1
pom_version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
v_a=${pom_version%%-*}
v_b=$v_a.1   # dpkg orders 0.1.0.1 after 0.1.0
phase "build the .deb ($v_a) and the same build as $v_b"
installers/linux/build.sh --types deb --version "$v_a" --out "$tmp/a" ${1:+"$1"}
installers/linux/build.sh --types deb --version "$v_b" --out "$tmp/b" --skip-maven
deb_a=$(ls "$tmp"/a/portway_"$v_a"*_amd64.deb)
deb_b=$(ls "$tmp"/b/portway_"$v_b"*_amd64.deb)
ls -l "$deb_a" "$deb_b"
took build

# --- 2. install ---------------------------------------------------------------------------------------------
phase "apt-get install $(basename "$deb_a")"
apt_get install -y -qq --no-install-recommends "$deb_a"
launcher=/opt/portway/bin/Portway
desktop=/usr/share/applications/portway.desktop
check "package installed, version $v_a" test "$(dpkg-query -W -f='${Status} ${Version}' portway)" = "install ok installed $v_a"
check "launcher $launcher is executable" test -x "$launcher"
check "menu entry $desktop" test -f "$desktop"
check "menu entry passes desktop-file-validate" desktop-file-validate "$desktop"
check "menu entry starts the installed launcher" grep -qx "Exec=$launcher" "$desktop"
check "menu entry names the icon portway" grep -qx "Icon=portway" "$desktop"
for size in 16 32 48 128 256 512; do
  icon=/usr/share/icons/hicolor/${size}x${size}/apps/portway.png
  check "icon $icon is a ${size}x${size} PNG" sh -c "file '$icon' | grep -q 'PNG image data, $size x $size'"
done
check "no xdg-utils dependency (see jpackage/README.md)" sh -c "! dpkg-query -W -f='\${Depends}' portway | grep -q xdg-utils"
check "depends on GTK 3" sh -c "dpkg-query -W -f='\${Depends}' portway | grep -q libgtk-3-0"
check "the runtime has the base class-data archive the start-up archive builds on" test -f /opt/portway/lib/runtime/lib/server/classes.jsa
relay_archive=$(ls /opt/portway/lib/app/relay-lite-*-linux-*.tar.gz 2>/dev/null | head -1 || true)
check "the relay archive for \"Set up my own relay…\" is installed ($relay_archive)" test -n "$relay_archive"
check "its relay starts on the Java runtime it brings, with no Java 25 anywhere else" sh -c "
  d=\$(mktemp -d) && tar -xzf '$relay_archive' -C \"\$d\" &&
  env -i PATH=/usr/bin:/bin RELAY_LITE_JVM_DIRS=/nonexistent \"\$d\"/relay-lite-*/bin/relay-lite --version | grep -q '^relay-lite '
  r=\$?; rm -rf \"\$d\"; exit \$r"
took install

# --- 3. self-test through the installed launcher ------------------------------------------------------------
phase "installed launcher --self-test against python3 -m http.server, no display"
mkdir -p "$tmp/site"
marker="served-by-python-$RANDOM$RANDOM"
printf '<!doctype html><title>test-deb</title><p>%s</p>\n' "$marker" >"$tmp/site/index.html"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp/site" >"$tmp/http.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break; sleep 0.1; done
self_test() {
  # A user's own home, no display: the self-test must need neither.
  env -u DISPLAY -u WAYLAND_DISPLAY HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" \
    "$launcher" --self-test --self-test-target "http://127.0.0.1:$port/index.html" >"$tmp/self-test.out" 2>&1
}
mkdir -p "$tmp/home"
if ! self_test; then cat "$tmp/self-test.out"; fail "the installed launcher's --self-test failed"; fi
cat "$tmp/self-test.out"
check "self-test passed" grep -q "^Self-test passed" "$tmp/self-test.out"
check "the page came through the tunnel" grep -q "GET http://my-app.localhost:.*/index.html -> 200" "$tmp/self-test.out"
check "python's server saw the request from the tunnel" grep -q '"GET /index.html HTTP/1.1" 200' "$tmp/http.log"
took self-test

# --- 4. upgrade keeps the user's data -----------------------------------------------------------------------
phase "user data, then apt-get install $(basename "$deb_b") over $v_a"
# Java takes user.home from the password file, not $HOME: the test user's XDG data folder is set explicitly.
as_user() { env -u DISPLAY HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" "$launcher" "$@"; }
data="$tmp/home/.local/share/portway"
as_user --export "$tmp/first.json" --include-secrets >/dev/null 2>&1 || fail "--export in a fresh home failed"
sed 's/"name": "My app"/"name": "Kept across upgrades"/' "$tmp/first.json" >"$tmp/kept.json"
as_user --import "$tmp/kept.json" --on-clash rename >"$tmp/import.out" 2>&1 || { cat "$tmp/import.out"; fail "--import failed"; }
check "a profile saved in $data" test -n "$(ls "$data" 2>/dev/null)"
apt_get install -y -qq --no-install-recommends "$deb_b"
check "package upgraded to $v_b" test "$(dpkg-query -W -f='${Status} ${Version}' portway)" = "install ok installed $v_b"
check "menu entry still there after the upgrade" test -f "$desktop"
check "icon still there after the upgrade" test -f /usr/share/icons/hicolor/48x48/apps/portway.png
as_user --export "$tmp/after.json" >"$tmp/export.out" 2>&1 || { cat "$tmp/export.out"; fail "--export after the upgrade failed"; }
check "the profile is still there after the upgrade" grep -q "Kept across upgrades" "$tmp/export.out"
if ! self_test; then cat "$tmp/self-test.out"; fail "the upgraded launcher's --self-test failed"; fi
check "the upgraded app passes its self-test" grep -q "^Self-test passed" "$tmp/self-test.out"
took upgrade

# --- 5. remove, purge ---------------------------------------------------------------------------------------
phase "apt-get remove portway, apt-get purge portway"
files=$(dpkg -L portway | grep -v '^/opt$\|^/\.$\|^/usr\|^/$' || true)
fingerprint() { (cd "$data" && find . -type f | sort | xargs sha256sum); }
before=$(fingerprint)
apt_get remove -y -qq portway
check "package removed" sh -c "! dpkg-query -W -f='\${db:Status-Abbrev}' portway 2>/dev/null | grep -q '^ii'"
check "/opt/portway is gone" test ! -e /opt/portway
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done || true)
check "no file of the package is left" test -z "$left"
check "menu entry removed" test ! -e "$desktop"
check "icons removed" sh -c "! ls /usr/share/icons/hicolor/*/apps/portway.png 2>/dev/null | grep -q ."
check "the user's data is untouched by apt-get remove" test "$(fingerprint)" = "$before"
# After the removal dpkg still knows the package only if it left configuration files; apt-get cannot purge a
# package that neither dpkg nor a repository knows.
if dpkg-query -W portway >/dev/null 2>&1; then apt_get purge -y -qq portway; fi
check "package purged" sh -c "! dpkg -s portway >/dev/null 2>&1"
check "the user's data is untouched by apt-get purge (it is in the user's home)" test "$(fingerprint)" = "$before"
took remove

awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "\ntest-deb: PASSED in %.0f s\n", b - a }'
