#!/usr/bin/env bash
# make-auth-pcaps.sh OUTDIR
#
# Records real failed SSH logins for the shape-based authentication outcome (src/TunnelGuard/Shape/AuthInference.cs):
# an OpenSSH client offers two keys the server does not know (publickey only), the server answers each with
# USERAUTH_FAILURE and the client gives up, so no channel is ever opened. One capture per cipher family:
#   ssh-auth-failure-chacha20.pcap        chacha20-poly1305 (AEAD, 8-byte blocks)
#   ssh-auth-failure-aes128ctr-hmac.pcap  aes128-ctr + hmac-sha2-256 (MAC, length encrypted)
# then OUTDIR/manifest.json for them (tools/foundation-pcaps/manifest.py), to merge into pcaps/manifest.json.
#
# Root; one private network namespace (tga-PID) with only its loopback, deleted on exit; processes ended by PID.
set -Eeuo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
OUTDIR=$(cd "$1" && pwd)
NS=tga-$$
WORK=$(mktemp -d /tmp/tga-pcaps.XXXXXX)
chmod 755 "$WORK"
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_known"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_stranger1"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/id_stranger2"
cp "$WORK/id_known.pub" "$WORK/authorized_keys"
cat >"$WORK/sshd_config" <<CFG
Port 22
ListenAddress 127.0.0.1
HostKey $WORK/host_key
AuthorizedKeysFile $WORK/authorized_keys
PidFile none
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
CFG
ip netns exec "$NS" /usr/sbin/sshd -D -e -f "$WORK/sshd_config" 2>"$WORK/sshd.err" &
PIDS+=($!)
for ((i = 0; i < 50; i++)); do ip netns exec "$NS" ss -ltn | grep -q '127.0.0.1:22 ' && break; sleep 0.1; done

: >"$WORK/spec.jsonl"
record() {
    local file=$1 cipher=$2 mac=$3 rc=0 pid
    shift 3
    ip netns exec "$NS" tcpdump -i lo -U -s 0 -w "$OUTDIR/$file" 'tcp port 22' 2>"$WORK/tcpdump.err" &
    pid=$!
    PIDS+=("$pid")
    for ((i = 0; i < 50; i++)); do grep -q "listening on" "$WORK/tcpdump.err" && break; sleep 0.1; done
    ip netns exec "$NS" timeout 60 ssh -F /dev/null -i "$WORK/id_stranger1" -i "$WORK/id_stranger2" -o IdentitiesOnly=yes \
        -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@" root@127.0.0.1 true \
        >/dev/null 2>"$WORK/ssh.err" </dev/null || rc=$?
    sleep 0.7
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
    if [[ $rc -ne 255 ]] || ! grep -q "Permission denied" "$WORK/ssh.err"; then
        echo "expected a refused login, got rc=$rc: $(cat "$WORK/ssh.err")" >&2
        exit 1
    fi

    python3 -c 'import json, sys; f, c, m = sys.argv[1:]; print(json.dumps({"file": f, "scenario": "auth-failure", "cipher": c, "mac": m, "offloads": False, "ssh_server_role": "responder", "labels": [], "primary": None, "decode_ports": [], "expect_kex": True}))' \
        "$file" "$cipher" "$mac" >>"$WORK/spec.jsonl"
}

record ssh-auth-failure-chacha20.pcap chacha20-poly1305@openssh.com implicit -c chacha20-poly1305@openssh.com
record ssh-auth-failure-aes128ctr-hmac.pcap aes128-ctr hmac-sha2-256 -c aes128-ctr -m hmac-sha2-256
python3 "$HERE/../foundation-pcaps/manifest.py" "$OUTDIR" "$WORK/spec.jsonl"
