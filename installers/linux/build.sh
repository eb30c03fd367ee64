#!/usr/bin/env bash
# Builds Portway's Linux installers from a clean checkout: the app-image, the .deb and the .rpm.
#
#   installers/linux/build.sh [--types "app-image deb rpm"] [--version X.Y.Z] [--out DIR] [--skip-maven]
#
# Steps (each timed): the app's jars (mvn -Pinstallers), the modules it needs (jdeps), a runtime with only
# those (jlink), then jpackage per type. Results in --out (default installers/linux/out): Portway/ (app-image),
# portway_<v>_amd64.deb, portway-<v>-1.x86_64.rpm, sizes.txt. The version comes from the root pom.xml
# (0.1.0-SNAPSHOT -> 0.1.0); --version overrides it (the upgrade test builds a second, newer package).
# --skip-maven reuses desktop-app/target/jpackage/input from an earlier run. Needs a JDK 25 (JAVA_HOME or
# /usr/lib/jvm), Maven, fakeroot + dpkg-deb for the .deb, rpmbuild for the .rpm (apt-get install rpm).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

types="app-image deb rpm"
version=""
out="$root/installers/linux/out"
skip_maven=false
while [ $# -gt 0 ]; do
  case "$1" in
    --types) types=$2; shift 2;;
    --version) version=$2; shift 2;;
    --out) out=$2; shift 2;;
    --skip-maven) skip_maven=true; shift;;
    -h|--help) sed -n '2,13p' "$0"; exit 0;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2;;
  esac
done

# A JDK 25: JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
jdk=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jpackage" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"2[5-9]'; then
  jdk=$JAVA_HOME
else
  for d in /usr/lib/jvm/*25*; do [ -x "$d/bin/jpackage" ] && jdk=$d; done
fi
if [ -z "$jdk" ]; then
  echo "build.sh: no JDK 25 with jpackage found; set JAVA_HOME to one (e.g. Temurin 25)." >&2
  exit 1
fi

pom_version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
if [ -z "$version" ]; then
  version=${pom_version%%-*}   # jpackage wants numbers only: 0.1.0-SNAPSHOT -> 0.1.0
fi
if ! [[ $version =~ ^[0-9]+(\.[0-9]+){0,3}$ ]]; then
  echo "build.sh: version \"$version\" is not numbers and dots (like 0.1.0); jpackage needs that." >&2
  exit 2
fi

for t in $types; do
  case "$t" in
    app-image) ;;
    deb) command -v dpkg-deb >/dev/null && command -v fakeroot >/dev/null \
           || { echo "build.sh: a .deb needs dpkg-deb and fakeroot (apt-get install fakeroot)." >&2; exit 1; };;
    rpm) command -v rpmbuild >/dev/null \
           || { echo "build.sh: an .rpm needs rpmbuild (Debian: apt-get install --no-install-recommends rpm)." >&2; exit 1; };;
    *) echo "build.sh: unknown type $t (app-image, deb, rpm)" >&2; exit 2;;
  esac
done

started=$(date +%s)
step_start=0
step() { step_start=$EPOCHREALTIME; printf '==> %s\n' "$*"; }
done_step() {
  local s; s=$(awk -v a="$step_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "    $1: $s s"; echo "$1 $s" >>"$out/times.txt"
}

mkdir -p "$out"
: >"$out/times.txt"
work="$root/desktop-app/target/jpackage"
input="$work/input"

if ! $skip_maven; then
  step "Maven: the app's jars (mvn -Pinstallers package, tests skipped)"
  rm -rf "$input"
  mvn -B -q -DskipTests -Pinstallers -pl desktop-app -am package
  done_step maven
fi
[ -f "$input/desktop-app-$pom_version.jar" ] || { echo "build.sh: $input has no desktop-app jar; run without --skip-maven." >&2; exit 1; }

# What jpackage copies into /opt/portway/lib/app: the jars, plus the menu entry and icons the package scripts
# install (jpackage/linux/resources/postinst, portway.spec).
stage="$work/stage"
rm -rf "$stage"
mkdir -p "$stage/share/applications" "$stage/share/icons"
cp "$input"/*.jar "$stage/"
rm -f "$stage"/javafx-*-"$(sed -n 's:.*<javafx.version>\(.*\)</javafx.version>.*:\1:p' pom.xml)".jar  # empty stubs; the -linux jars hold JavaFX
# The relay archive with its own Java runtime, beside the jars: "Set up my own relay…" uploads it to a server
# that needs no Java of its own (relaysetup.BundledArchive finds it there). Rebuilt when the relay changed.
relay_plain="$root/relay-lite/target/relay-lite-$pom_version.tar.gz"
[ -f "$relay_plain" ] || { echo "build.sh: no $relay_plain; run without --skip-maven." >&2; exit 1; }
relay_runtime=$(ls "$work"/relay-lite-"$pom_version"-linux-*.tar.gz 2>/dev/null | head -1 || true)
if [ -z "$relay_runtime" ] || [ "$relay_plain" -nt "$relay_runtime" ]; then
  step "the relay archive with its own Java runtime (jdeps, jlink)"
  rm -f "$work"/relay-lite-*-linux-*.tar.gz
  relay_runtime=$(installers/relay/build-runtime-archive.sh --archive "$relay_plain" --out "$work" | tail -1)
  done_step relay-runtime-archive
fi
cp "$relay_runtime" "$stage/"
cp jpackage/linux/portway.desktop "$stage/share/applications/"
cp jpackage/icons/portway-*.png "$stage/share/icons/"

runtime="$work/runtime"
if [ ! -d "$runtime" ] || [ "$input/desktop-app-$pom_version.jar" -nt "$runtime/release" ]; then
  step "jdeps: the Java modules the app needs"
  cp_jars=$(cd "$input" && ls *.jar | sed "s:^:$input/:" | paste -sd:)
  modules=$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 --recursive \
             --class-path "$cp_jars" "$input/desktop-app-$pom_version.jar")
  echo "    $modules"
  echo "$modules" >"$work/modules.txt"
  done_step jdeps

  step "jlink: a runtime with only those modules"
  rm -rf "$runtime"
  "$jdk/bin/jlink" --add-modules "$modules" --output "$runtime" \
    --strip-debug --no-header-files --no-man-pages --generate-cds-archive
  done_step jlink
fi

common=(@jpackage/options/common.txt @jpackage/options/linux.txt
        --app-version "$version" --input "$stage" --main-jar "desktop-app-$pom_version.jar"
        --runtime-image "$runtime" --dest "$out")

for t in $types; do
  step "jpackage --type $t ($version)"
  case "$t" in
    app-image)
      rm -rf "$out/Portway"
      "$jdk/bin/jpackage" --type app-image "${common[@]}"
      ;;
    deb)
      rm -f "$out"/portway_"$version"*.deb
      "$jdk/bin/jpackage" --type deb "${common[@]}" @jpackage/options/linux-package.txt --linux-package-deps libgtk-3-0
      ;;
    rpm)
      rm -f "$out"/portway-"$version"*.rpm
      "$jdk/bin/jpackage" --type rpm "${common[@]}" @jpackage/options/linux-package.txt --linux-package-deps gtk3
      ;;
  esac
  done_step "$t"
done

{
  echo "Portway $version, built $(date -u +%Y-%m-%dT%H:%MZ) with $("$jdk/bin/java" -version 2>&1 | head -1)"
  echo "modules: $(cat "$work/modules.txt" 2>/dev/null)"
  printf '%-28s %s\n' "jars (input)" "$(du -sh "$input" | cut -f1)"
  printf '%-28s %s\n' "jlinked runtime" "$(du -sh "$runtime" | cut -f1)"
  [ -d "$out/Portway" ] && printf '%-28s %s\n' "app-image" "$(du -sh "$out/Portway" | cut -f1)"
  for f in "$out"/portway_"$version"*.deb "$out"/portway-"$version"*.rpm; do
    [ -f "$f" ] && printf '%-28s %s\n' "$(basename "$f")" "$(du -h "$f" | cut -f1)"
  done
  echo "times (s):"; sed 's/^/  /' "$out/times.txt"
} | tee "$out/sizes.txt"
echo "build.sh: done in $(( $(date +%s) - started )) s; see $out"
