#!/bin/sh
# Entrypoint of the container image (Dockerfile): runs tunnelguard as the unprivileged user `app`, the way
# deploy/systemd/tunnelguard.service runs it. Of CAP_NET_RAW (capture) and CAP_NET_ADMIN (nftables), it keeps the ones
# the container was given (docker run --cap-add NET_RAW --cap-add NET_ADMIN) as ambient capabilities, which reach
# `nft` too; every other capability is dropped, and no_new_privs is set. Started as another user (docker run --user),
# it runs tunnelguard as that user unchanged; without the capabilities to switch users (docker run --cap-drop ALL
# ...), it stays root with only the capabilities it was given.
set -eu

cli="/app/tunnelguard.dll"
cap() { echo $((0x$(sed -n "s/^$1:[[:space:]]*//p" /proc/self/status))); }
# Bits of linux/capability.h: CAP_SETGID 6, CAP_SETUID 7, CAP_SETPCAP 8, CAP_NET_ADMIN 12, CAP_NET_RAW 13.
effective=$(cap CapEff)
if [ "$(id -u)" != 0 ] || [ $(((effective >> 6) & 7)) != 7 ]; then
  exec dotnet "$cli" "$@"
fi

bounding=$(cap CapBnd)
keep=""
if [ $(((bounding >> 13) & 1)) = 1 ]; then keep="+net_raw"; fi
if [ $(((bounding >> 12) & 1)) = 1 ]; then keep="${keep:+$keep,}+net_admin"; fi

if [ -n "$keep" ]; then
  set -- --inh-caps="-all,$keep" --ambient-caps="$keep" --bounding-set="-all,$keep" dotnet "$cli" "$@"
else
  set -- --inh-caps=-all --bounding-set=-all dotnet "$cli" "$@"
fi
export HOME=/home/app
exec setpriv --reuid=app --regid=app --init-groups --no-new-privs "$@"
