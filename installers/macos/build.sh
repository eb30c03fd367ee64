#!/usr/bin/env bash
# Builds Portway for macOS: the app-image (Portway.app) and the .dmg, in installers/macos/out.
#
#   installers/macos/build.sh [--version X.Y.Z] [--skip-maven]
#
# Runs on macOS only (jpackage builds packages for the system it runs on, and a .dmg needs hdiutil). Needs a
# JDK 25 (JAVA_HOME, or found by /usr/libexec/java_home -v 25) and Maven. Same steps as
# installers/linux/build.sh: the app's jars (mvn -Pinstallers), jdeps, jlink, jpackage. Not signed or
# notarized: Gatekeeper asks before the first start (right-click > Open). The user's data lives in
# ~/Library/Application Support/Portway, outside the app: replacing or deleting Portway.app leaves it alone.
#
# jpackage on macOS refuses a version whose first number is 0 (its CFBundleVersion rule), so before 1.0 the
# bundle carries 1.<minor>.<patch> and the .dmg's file name carries the real version.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out="$root/installers/macos/out"
version=""
skip_maven=false
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2;;
    --skip-maven) skip_maven=true; shift;;
    -h|--help) sed -n '2,14p' "$0"; exit 0;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2;;
  esac
done
[ "$(uname -s)" = Darwin ] || { echo "build.sh: this script builds the macOS .dmg and runs on macOS only." >&2; exit 1; }

jdk=${JAVA_HOME:-}
if [ -z "$jdk" ] || [ ! -x "$jdk/bin/jpackage" ]; then
  jdk=$(/usr/libexec/java_home -v 25 2>/dev/null || true)
fi
[ -n "$jdk" ] && [ -x "$jdk/bin/jpackage" ] || { echo "build.sh: no JDK 25 found; set JAVA_HOME to one (e.g. Temurin 25)." >&2; exit 1; }

pom_version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
[ -n "$version" ] || version=${pom_version%%-*}
[[ $version =~ ^[0-9]+(\.[0-9]+){0,2}$ ]] || { echo "build.sh: version \"$version\" is not like 0.1.0." >&2; exit 2; }
bundle_version=$version
if [[ $version == 0.* ]]; then bundle_version="1.${version#0.}"; fi

mkdir -p "$out"
: >"$out/times.txt"
timed() {
  local name=$1; shift
  echo "==> $name"
  local start=$SECONDS
  "$@"
  echo "    $name: $((SECONDS - start)) s"; echo "$name $((SECONDS - start))" >>"$out/times.txt"
}

work="$root/desktop-app/target/jpackage"
input="$work/input"
if ! $skip_maven; then
  rm -rf "$input"
  timed maven mvn -B -q -DskipTests -Pinstallers -pl desktop-app -am package
fi
main_jar="desktop-app-$pom_version.jar"
[ -f "$input/$main_jar" ] || { echo "build.sh: $input has no $main_jar; run without --skip-maven." >&2; exit 1; }

# The jars only (the JavaFX jars are the -mac or -mac-aarch64 ones Maven picked for this machine).
stage="$work/stage"
rm -rf "$stage"; mkdir -p "$stage"
for j in "$input"/*.jar; do [ "$(wc -c <"$j")" -gt 1024 ] && cp "$j" "$stage/"; done

runtime="$work/runtime"
rm -rf "$runtime"
cp_jars=$(ls "$input"/*.jar | paste -sd: -)
modules=""
find_modules() {
  modules=$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 --recursive \
             --class-path "$cp_jars" "$input/$main_jar")
}
timed jdeps find_modules
echo "    $modules"
timed jlink "$jdk/bin/jlink" --add-modules "$modules" --output "$runtime" \
  --strip-debug --no-header-files --no-man-pages --generate-cds-archive

common=(@jpackage/options/common.txt @jpackage/options/macos.txt --app-version "$bundle_version"
        --input "$stage" --main-jar "$main_jar" --runtime-image "$runtime" --dest "$out")
rm -rf "$out/Portway.app" "$out"/Portway-*.dmg
timed app-image "$jdk/bin/jpackage" --type app-image "${common[@]}"
timed dmg "$jdk/bin/jpackage" --type dmg "${common[@]}" @jpackage/options/macos-package.txt
dmg=$(ls "$out"/Portway-*.dmg)
[ "$bundle_version" = "$version" ] || mv "$dmg" "$out/Portway-$version.dmg"

# A quick check of what was built, without a window: the launcher's self-test.
timed self-test "$out/Portway.app/Contents/MacOS/Portway" --self-test

{
  echo "Portway $version (macOS, bundle version $bundle_version)"
  echo "modules: $modules"
  echo "jlinked runtime  $(du -sh "$runtime" | cut -f1)"
  echo "app-image        $(du -sh "$out/Portway.app" | cut -f1)"
  for f in "$out"/Portway-*.dmg; do echo "$(basename "$f")  $(du -h "$f" | cut -f1)"; done
  echo "times (s):"; sed 's/^/  /' "$out/times.txt"
} | tee "$out/sizes.txt"
