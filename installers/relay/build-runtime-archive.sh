#!/usr/bin/env bash
# The relay archive with its own Java runtime, for a server that has no Java 25 (a fresh Debian or Ubuntu):
#
#   installers/relay/build-runtime-archive.sh [--archive relay-lite-<version>.tar.gz] [--out DIR]
#
# Takes the plain archive (default: relay-lite/target/relay-lite-<version>.tar.gz, built by
# `mvn -B -DskipTests -pl relay-lite -am package`), finds the Java modules the relay needs (jdeps), links a
# runtime with only those (jlink, this machine's JDK 25 and architecture) and writes
# relay-lite-<version>-linux-<arch>.tar.gz (arch: x64 or aarch64) into --out (default: beside the plain archive).
# It is the plain archive plus runtime/; bin/relay-lite uses that runtime first. Prints the result's path last.
# A runtime runs only on the architecture it was linked on: build on an aarch64 machine for aarch64 servers.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
archive=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --archive) archive=$2; shift 2;;
    --out) out=$2; shift 2;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "build-runtime-archive: unknown argument $1 (see --help)" >&2; exit 2;;
  esac
done

if [ -z "$archive" ]; then
  archive=$(ls "$root"/relay-lite/target/relay-lite-*.tar.gz 2>/dev/null | grep -v -- '-linux-' | head -1 || true)
  [ -n "$archive" ] || { echo "build-runtime-archive: no relay-lite/target/relay-lite-<version>.tar.gz; build it first:" \
    "mvn -B -DskipTests -pl relay-lite -am package" >&2; exit 1; }
fi
[ -f "$archive" ] || { echo "build-runtime-archive: $archive does not exist." >&2; exit 1; }
name=$(basename "$archive")
version=$(printf '%s' "$name" | sed -n 's/^relay-lite-\([0-9][A-Za-z0-9.+-]*\)\.tar\.gz$/\1/p')
case "$version" in
  ''|*-linux-*) echo "build-runtime-archive: $name is not a plain relay-lite-<version>.tar.gz." >&2; exit 2;;
esac
out=${out:-$(dirname "$archive")}
mkdir -p "$out"

jdk=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"2[5-9]'; then
  jdk=$JAVA_HOME
else
  for d in /usr/lib/jvm/*25*; do [ -x "$d/bin/jlink" ] && jdk=$d; done
fi
[ -n "$jdk" ] || { echo "build-runtime-archive: no JDK 25 with jlink found; set JAVA_HOME to one (e.g. Temurin 25)." >&2; exit 1; }

case "$(sed -n 's/^OS_ARCH="\(.*\)"/\1/p' "$jdk/release")" in
  x86_64|amd64) arch=x64;;
  aarch64|arm64) arch=aarch64;;
  *) echo "build-runtime-archive: $jdk is for $(sed -n 's/^OS_ARCH="\(.*\)"/\1/p' "$jdk/release"); only x64 and aarch64 are supported." >&2; exit 1;;
esac
result="$out/relay-lite-$version-linux-$arch.tar.gz"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
home="$work/relay-lite-$version"
[ -f "$home/lib/relay-lite.jar" ] || { echo "build-runtime-archive: $name has no relay-lite-$version/lib/relay-lite.jar." >&2; exit 1; }

# What jdeps finds, plus what is loaded by name and so invisible to it: elliptic-curve TLS suites, DNS lookups
# through JNDI, and the locale data of error messages.
modules=$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 "$home/lib/relay-lite.jar")
modules="$modules,jdk.crypto.ec,jdk.naming.dns,jdk.localedata,jdk.zipfs"
echo "build-runtime-archive: modules $modules"
"$jdk/bin/jlink" --add-modules "$modules" --output "$home/runtime" \
  --strip-debug --no-header-files --no-man-pages --compress zip-6 --include-locales en
# jlink writes no OS_ARCH; bin/relay-lite reads it to tell a server of another architecture what is wrong.
grep -q '^OS_ARCH=' "$home/runtime/release" || grep '^OS_ARCH=' "$jdk/release" >>"$home/runtime/release"
"$home/runtime/bin/java" -version 2>&1 | head -1 | sed 's/^/build-runtime-archive: runtime /'

tar -czf "$result.tmp" -C "$work" --owner=0 --group=0 --numeric-owner "relay-lite-$version"
mv "$result.tmp" "$result"
echo "build-runtime-archive: $(du -h "$result" | cut -f1) (plain archive $(du -h "$archive" | cut -f1))"
echo "$result"
