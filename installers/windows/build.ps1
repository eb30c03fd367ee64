# Builds Portway's Windows installer: the app-image and the .msi, in installers\windows\out.
#
#   powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1 [-Version X.Y.Z] [-SkipMaven]
#
# Runs on Windows only (jpackage builds packages for the system it runs on). Needs a JDK 25 (JAVA_HOME),
# Maven on PATH and WiX for the .msi: WiX 3.14 (candle.exe/light.exe on PATH) or WiX 4/5
# (`dotnet tool install --global wix`, then `wix extension add -g WixToolset.Util.wixext` and
# `wix extension add -g WixToolset.UI.wixext`). The same steps as installers/linux/build.sh: the app's jars
# (mvn -Pinstallers), jdeps, jlink, jpackage. The user's data (%APPDATA%\Portway) is never part of the
# package: upgrades (same --win-upgrade-uuid, higher version) and uninstalls leave it alone.
param(
    [string]$Version = "",
    [switch]$SkipMaven
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $root
$out = Join-Path $root "installers\windows\out"

if (-not $env:JAVA_HOME -or -not (Test-Path (Join-Path $env:JAVA_HOME "bin\jpackage.exe"))) {
    throw "build.ps1: set JAVA_HOME to a JDK 25 (it needs jpackage.exe, jlink.exe and jdeps.exe)."
}
$jdk = $env:JAVA_HOME
if (-not (Get-Command candle.exe -ErrorAction SilentlyContinue) -and -not (Get-Command wix.exe -ErrorAction SilentlyContinue)) {
    throw "build.ps1: the .msi needs WiX: install WiX 3.14 (candle/light on PATH) or 'dotnet tool install --global wix'."
}

# Version from the root pom: 0.1.0-SNAPSHOT -> 0.1.0 (jpackage wants numbers and dots only).
[xml]$pom = Get-Content (Join-Path $root "pom.xml")
$pomVersion = $pom.project.version
if (-not $Version) { $Version = ($pomVersion -split "-")[0] }
if ($Version -notmatch '^\d+(\.\d+){0,3}$') { throw "build.ps1: version '$Version' is not numbers and dots (like 0.1.0)." }

New-Item -ItemType Directory -Force -Path $out | Out-Null
$work = Join-Path $root "desktop-app\target\jpackage"
$jars = Join-Path $work "input"
$times = @()
function Timed([string]$name, [scriptblock]$block) {
    Write-Host "==> $name"
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $block
    if ($LASTEXITCODE -and $LASTEXITCODE -ne 0) { throw "build.ps1: $name failed (exit $LASTEXITCODE)." }
    $script:times += "{0} {1:N1} s" -f $name, $sw.Elapsed.TotalSeconds
    Write-Host ("    {0:N1} s" -f $sw.Elapsed.TotalSeconds)
}

if (-not $SkipMaven) {
    if (Test-Path $jars) { Remove-Item -Recurse -Force $jars }
    Timed "maven" { mvn -B -q -DskipTests -Pinstallers -pl desktop-app -am package }
}
$mainJar = "desktop-app-$pomVersion.jar"
if (-not (Test-Path (Join-Path $jars $mainJar))) { throw "build.ps1: $jars has no $mainJar; run without -SkipMaven." }

# The jars only (the JavaFX jars here are the -win ones Maven picked for this system; the empty stubs go).
$stage = Join-Path $work "stage"
if (Test-Path $stage) { Remove-Item -Recurse -Force $stage }
New-Item -ItemType Directory -Force -Path $stage | Out-Null
Get-ChildItem $jars -Filter *.jar | Where-Object { $_.Length -gt 1024 } | Copy-Item -Destination $stage

$runtime = Join-Path $work "runtime"
if (Test-Path $runtime) { Remove-Item -Recurse -Force $runtime }
$cp = (Get-ChildItem $jars -Filter *.jar | ForEach-Object { $_.FullName }) -join ";"
$modules = ""
Timed "jdeps" {
    $script:modules = (& "$jdk\bin\jdeps.exe" --ignore-missing-deps --print-module-deps --multi-release 25 --recursive `
        --class-path $cp (Join-Path $jars $mainJar)).Trim()
}
Write-Host "    $modules"
Timed "jlink" {
    & "$jdk\bin\jlink.exe" --add-modules $modules --output $runtime --strip-debug --no-header-files --no-man-pages `
        --generate-cds-archive
}

$common = @("@jpackage/options/common.txt", "@jpackage/options/windows.txt", "--app-version", $Version,
            "--input", $stage, "--main-jar", $mainJar, "--runtime-image", $runtime, "--dest", $out)
if (Test-Path (Join-Path $out "Portway")) { Remove-Item -Recurse -Force (Join-Path $out "Portway") }
Get-ChildItem $out -Filter "Portway-*.msi" -ErrorAction SilentlyContinue | Remove-Item -Force
Timed "app-image" { & "$jdk\bin\jpackage.exe" --type app-image @common }
Timed "msi" { & "$jdk\bin\jpackage.exe" --type msi @common "@jpackage/options/windows-package.txt" }

# A quick check of what was built: the launcher's self-test (embedded relay, a page through the tunnel).
# Portway.exe is a windowed program: its exit code tells, its output is not shown.
Timed "self-test" {
    $p = Start-Process -FilePath (Join-Path $out "Portway\Portway.exe") -ArgumentList "--self-test" -Wait -PassThru
    if ($p.ExitCode -ne 0) { throw "build.ps1: the app-image's --self-test failed (exit $($p.ExitCode))." }
}

$sizes = @(
    "Portway $Version (Windows)",
    "modules: $modules",
    ("jlinked runtime  {0:N0} MB" -f ((Get-ChildItem $runtime -Recurse | Measure-Object Length -Sum).Sum / 1MB)),
    ("app-image        {0:N0} MB" -f ((Get-ChildItem (Join-Path $out "Portway") -Recurse | Measure-Object Length -Sum).Sum / 1MB))
)
Get-ChildItem $out -Filter "*.msi" | ForEach-Object { $sizes += ("{0}  {1:N0} MB" -f $_.Name, ($_.Length / 1MB)) }
$sizes += "times:"; $sizes += $times
$sizes | Tee-Object -FilePath (Join-Path $out "sizes.txt")
