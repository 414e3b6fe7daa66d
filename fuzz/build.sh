#!/usr/bin/env bash
# Builds the fuzzing harness into fuzz/build/plain and fuzz/build/bin and instruments TunnelGuard.Core.dll (and
# YamlDotNet.dll, for the rules target) for AFL++ with SharpFuzz.
# Needs: the .NET SDK; installs the sharpfuzz command-line tool into fuzz/tools on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
sharpfuzz="$here/tools/sharpfuzz"
if [ ! -x "$sharpfuzz" ]; then
  dotnet tool install --tool-path "$here/tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi
# build/plain: not instrumented, for seeding and replay (instrumented code writes to AFL's shared memory and
# crashes outside afl-fuzz). build/bin: a fresh copy every time, since sharpfuzz refuses to instrument twice.
rm -rf "$here/build/bin" "$here/build/plain"
dotnet publish "$here/TunnelGuard.Fuzz/TunnelGuard.Fuzz.csproj" -c Release -o "$here/build/plain" --nologo -v q >/dev/null
cp -r "$here/build/plain" "$here/build/bin"
"$sharpfuzz" "$here/build/bin/TunnelGuard.Core.dll"
# The rules target's input is YAML, read by YamlDotNet before our parser sees a node: instrument it too, or AFL++ is
# blind to the scanner's branches.
"$sharpfuzz" "$here/build/bin/YamlDotNet.dll"
echo "instrumented $here/build/bin/TunnelGuard.Core.dll and YamlDotNet.dll"
