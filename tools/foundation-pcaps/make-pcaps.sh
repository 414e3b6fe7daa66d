#!/usr/bin/env bash
# make-pcaps.sh OUTDIR
#
# Produces a small set of REAL, labelled packet captures of OpenSSH (and a few
# non-SSH / odd cases) using Linux network namespaces, then writes
# OUTDIR/manifest.json (via manifest.py, which reads the captures with tshark).
#
# Requirements: root, iproute2, ethtool, tcpdump, tshark/editcap/capinfos,
# openssh-server, openssh-client, socat, curl, python3.
#
# Network rules honoured by this script:
#   * all hosts are network namespaces named tgf-*, linked by veth pairs;
#   * only addresses in 198.18.1.0/24 are used (plus loopback in a namespace);
#     198.18.1.0/25 is the client<->server segment, 198.18.1.128/25 the
#     server<->inner segment (port forwarding scenario);
#   * every process started is tracked by PID and killed by PID, and every
#     namespace is deleted on exit (also on failure / INT / TERM).
#
# Idempotent: existing tgf-* namespaces of this script are removed first and
# output files are overwritten.
set -Eeuo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "must run as root (network namespaces)" >&2
    exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
OUTDIR=$(cd "$1" && pwd)
PY=/usr/bin/python3
for tool in ip ethtool tcpdump tshark editcap capinfos sshd ssh scp ssh-keygen socat curl ss timeout "$PY"; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/tgf-pcaps.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/log" "$WORK/keys" "$WORK/www" "$WORK/upload" "$WORK/raw"
SPEC="$WORK/spec.jsonl"
: >"$SPEC"

# Namespaces this script may create (all tgf- prefixed).
ALL_NS=(tgf-c tgf-s tgf-i tgf-6)
# Addresses (198.18.1.0/24 only).
C_IP=198.18.1.1      # ssh client
S_IP=198.18.1.2      # ssh server
S2_IP=198.18.1.129   # server, inner segment
I_IP=198.18.1.130    # inner http host

PIDS=()
LASTPID=

log() { printf '[make-pcaps] %s\n' "$*" >&2; }

drop_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"; }

# Kill (by PID) every process still living inside one of OUR namespaces
# (e.g. sshd session children, socat forks), then delete the namespace.
ns_del() {
    local ns=$1 pid pids
    ns_exists "$ns" || return 0
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
    if [[ -n $pids ]]; then
        sleep 0.3
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
    fi
    ip netns del "$ns" 2>/dev/null || true
}

kill_tracked() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        local i
        for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}

teardown() {
    local ns
    kill_tracked
    for ns in "${ALL_NS[@]}"; do ns_del "$ns"; done
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM ERR
    set +e
    teardown
    if [[ $rc -ne 0 ]]; then
        log "FAILED (rc=$rc); logs kept in $WORK/log"
        # keep logs for debugging, remove the rest of the temp dir
        rm -rf "$WORK/keys" "$WORK/www" "$WORK/upload" "$WORK/raw"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'log "error at line $LINENO: $BASH_COMMAND"' ERR

# ---------------------------------------------------------------- helpers --

# bgrun NAME NS CMD... : start CMD in namespace NS in the background, track PID.
bgrun() {
    local name=$1 ns=$2
    shift 2
    ip netns exec "$ns" "$@" >"$WORK/log/$name.out" 2>"$WORK/log/$name.err" </dev/null &
    LASTPID=$!
    PIDS+=("$LASTPID")
}

# stop_pid PID [SIGNAL]
stop_pid() {
    local pid=$1 sig=${2:-TERM} i
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    drop_pid "$pid"
}

# wait_pid PID TIMEOUT_S : wait for a tracked background process to exit.
wait_pid() {
    local pid=$1 t=${2:-30} i rc=0
    for ((i = 0; i < t * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid still running after ${t}s, terminating"
        kill -TERM "$pid" 2>/dev/null || true
    fi
    wait "$pid" || rc=$?
    drop_pid "$pid"
    return "$rc"
}

# wait_listen NS PORT : wait until a TCP listener on PORT exists in NS.
wait_listen() {
    local ns=$1 port=$2 i
    for ((i = 0; i < 100; i++)); do
        if ip netns exec "$ns" ss -Hltn "( sport = :$port )" | grep -q .; then return 0; fi
        sleep 0.1
    done
    log "nothing listening on port $port in $ns"
    return 1
}

ns_new() {
    local ns=$1 v6=${2:-nov6}
    ns_del "$ns"
    ip netns add "$ns"
    if [[ $v6 == nov6 ]]; then
        # no IPv6 on the veths: avoids RS/MLD/ND noise in the captures
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
    fi
    ip -n "$ns" link set lo up
}

# offloads NS DEV on|off
offloads() {
    local ns=$1 dev=$2 mode=$3
    if [[ $mode == off ]]; then
        ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
            log "warning: ethtool -K $dev (off) reported an error"
    else
        ip netns exec "$ns" ethtool -K "$dev" tso on gso on gro on tx on rx on >/dev/null 2>&1 ||
            log "warning: ethtool -K $dev (on) reported an error"
    fi
}

# veth NSA DEVA NSB DEVB
veth() {
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
}

# topo2 OFFLOADS : client tgf-c (tgf-c0, C_IP) <-> server tgf-s (tgf-s0, S_IP)
topo2() {
    local off=${1:-off}
    ns_new tgf-c
    ns_new tgf-s
    veth tgf-c tgf-c0 tgf-s tgf-s0
    offloads tgf-c tgf-c0 "$off"
    offloads tgf-s tgf-s0 "$off"
    ip -n tgf-c addr add "$C_IP/25" dev tgf-c0
    ip -n tgf-s addr add "$S_IP/25" dev tgf-s0
    ip -n tgf-c link set tgf-c0 up
    ip -n tgf-s link set tgf-s0 up
}

# mk_sshd_cfg NAME LISTENADDR PORT  -> prints the config path
mk_sshd_cfg() {
    local name=$1 addr=$2 port=$3 cfg="$WORK/sshd-$1.conf"
    cat >"$cfg" <<EOF
Port $port
ListenAddress $addr
HostKey $WORK/keys/ssh_host_ed25519_key
HostKey $WORK/keys/ssh_host_ecdsa_key
HostKey $WORK/keys/ssh_host_rsa_key
AuthorizedKeysFile $WORK/keys/authorized_keys
PidFile $WORK/sshd-$name.pid
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
PrintLastLog no
UseDNS no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
    /usr/sbin/sshd -t -f "$cfg"
    echo "$cfg"
}

# start_sshd NAME NS CFG PORT
start_sshd() {
    bgrun "sshd-$1" "$2" /usr/sbin/sshd -D -e -f "$3"
    SSHD_PID=$LASTPID
    wait_listen "$2" "$4"
}

# cap_start NAME NS IFACE FILE [tcpdump args...]
cap_start() {
    local name=$1 ns=$2 ifc=$3 file=$4 i
    shift 4
    rm -f "$file"
    bgrun "tcpdump-$name" "$ns" tcpdump -i "$ifc" -n -U -w "$file" "$@"
    CAP_PID=$LASTPID
    CAP_FILE=$file
    for ((i = 0; i < 100; i++)); do
        grep -q "listening on" "$WORK/log/tcpdump-$name.err" 2>/dev/null && break
        kill -0 "$CAP_PID" 2>/dev/null || { cat "$WORK/log/tcpdump-$name.err" >&2; return 1; }
        sleep 0.1
    done
    grep -q "listening on" "$WORK/log/tcpdump-$name.err" || { log "tcpdump did not start"; return 1; }
    sleep 0.2
}

cap_stop() {
    sleep 0.7   # let trailing FIN/ACKs land
    stop_pid "$CAP_PID" INT
    # tcpdump drops privileges to user tcpdump; give the file the dir's owner
    chown "$(stat -c %u:%g "$(dirname "$CAP_FILE")")" "$CAP_FILE"
    grep -E "packets (captured|received|dropped)" "$WORK/log/tcpdump-$1.err" | tr '\n' ' ' >&2 || true
    echo >&2
}

SSH_OPTS=(-F /dev/null -i "$WORK/keys/id_client" -o IdentitiesOnly=yes -o BatchMode=yes
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
    -o ConnectTimeout=10)
unset SSH_AUTH_SOCK || true

# cssh NAME NS ARGS... : run ssh client (foreground, bounded) and log output.
cssh() {
    local name=$1 ns=$2 rc=0
    shift 2
    ip netns exec "$ns" timeout 60 ssh "${SSH_OPTS[@]}" "$@" \
        >"$WORK/log/client-$name.out" 2>"$WORK/log/client-$name.err" </dev/null || rc=$?
    return "$rc"
}

# spec FILE SCENARIO CIPHER MAC OFFLOADS SERVER_ROLE LABELS(csv) PRIMARY DECODE_PORTS(csv) EXPECT_KEX
spec() {
    "$PY" - "$@" >>"$SPEC" <<'EOF'
import json, sys
f, scen, cipher, mac, off, role, labels, primary, ports, kex = sys.argv[1:]
n = lambda s: None if s in ("", "-") else s
print(json.dumps({
    "file": f, "scenario": scen, "cipher": n(cipher), "mac": n(mac),
    "offloads": off == "on", "ssh_server_role": role,
    "labels": [l for l in labels.split(",") if l], "primary": n(primary),
    "decode_ports": [int(p) for p in ports.split(",") if p],
    "expect_kex": kex == "yes"}))
EOF
}

# ------------------------------------------------------------------ setup --

log "work dir $WORK"
teardown   # idempotency: remove leftovers from an earlier (aborted) run
mkdir -p /run/sshd
chmod 755 /run/sshd

ssh-keygen -q -t ed25519 -N '' -C tgf-host -f "$WORK/keys/ssh_host_ed25519_key"
ssh-keygen -q -t ecdsa -b 256 -N '' -C tgf-host -f "$WORK/keys/ssh_host_ecdsa_key"
ssh-keygen -q -t rsa -b 3072 -N '' -C tgf-host -f "$WORK/keys/ssh_host_rsa_key"
ssh-keygen -q -t ed25519 -N '' -C tgf-client -f "$WORK/keys/id_client"
cp "$WORK/keys/id_client.pub" "$WORK/keys/authorized_keys"
chmod 600 "$WORK/keys/"*_key "$WORK/keys/id_client"

head -c 200K /dev/urandom >"$WORK/www/blob200k.bin"
head -c 2M /dev/urandom >"$WORK/upload-2m.bin"
echo '<html><body>not ssh</body></html>' >"$WORK/www/index.html"

EXEC_CMD='echo hello; uname -a; ls /'

# ---------------------------------------------------------------- scenarios --

# 1. exec, default cipher (chacha20-poly1305)
scn_exec_chacha20() {
    local f=ssh-exec-chacha20.pcap
    topo2 off
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    cap_start exec tgf-s tgf-s0 "$OUTDIR/$f"
    cssh exec tgf-c "root@$S_IP" "$EXEC_CMD"
    cap_stop exec
    teardown
    spec "$f" exec chacha20-poly1305@openssh.com implicit off responder exec exec "" yes
}

# 2. interactive PTY session, aes128-gcm, keystrokes one by one
typer() {
    local s i
    sleep 1.2   # let the shell come up
    for s in "ls" "echo hi" "exit"; do
        for ((i = 0; i < ${#s}; i++)); do
            printf '%s' "${s:i:1}"
            sleep "0.$((RANDOM % 150 + 100))"
        done
        printf '\r'
        sleep "0.$((RANDOM % 300 + 400))"
    done
    sleep 2     # keep stdin open until the remote side closes the channel
}
scn_interactive() {
    local f=ssh-interactive-aes128-gcm.pcap rc=0
    topo2 off
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    cap_start inter tgf-s tgf-s0 "$OUTDIR/$f"
    typer | ip netns exec tgf-c timeout 60 ssh "${SSH_OPTS[@]}" -tt -c aes128-gcm@openssh.com "root@$S_IP" \
        >"$WORK/log/client-inter.out" 2>"$WORK/log/client-inter.err" || rc=$?
    log "interactive ssh pipeline rc=$rc (141 = typer got SIGPIPE, fine)"
    grep -q "hi" "$WORK/log/client-inter.out" || { log "interactive session output missing"; return 1; }
    cap_stop inter
    teardown
    spec "$f" interactive aes128-gcm@openssh.com implicit off responder interactive interactive "" yes
}

# 3. port 2222, aes128-ctr + hmac-sha2-256
scn_port2222() {
    local f=ssh-port2222-aes128ctr-hmac.pcap
    topo2 off
    local cfg; cfg=$(mk_sshd_cfg p2222 "$S_IP" 2222)
    start_sshd p2222 tgf-s "$cfg" 2222
    cap_start p2222 tgf-s tgf-s0 "$OUTDIR/$f"
    cssh p2222 tgf-c -p 2222 -c aes128-ctr -m hmac-sha2-256 "root@$S_IP" "$EXEC_CMD"
    cap_stop p2222
    teardown
    spec "$f" exec aes128-ctr hmac-sha2-256 off responder exec exec 2222 yes
}

# 4. aes256-ctr + umac-64-etm
scn_etm_umac() {
    local f=ssh-etm-umac.pcap
    topo2 off
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    cap_start etm tgf-s tgf-s0 "$OUTDIR/$f"
    cssh etm tgf-c -c aes256-ctr -m umac-64-etm@openssh.com "root@$S_IP" "$EXEC_CMD"
    cap_stop etm
    teardown
    spec "$f" exec aes256-ctr umac-64-etm@openssh.com off responder exec exec "" yes
}

# 5. server-initiated TCP: sshd side connects out to the client's port 4022
scn_server_initiated() {
    local f=ssh-server-initiated.pcap cpid spid
    topo2 off
    local cfg; cfg=$(mk_sshd_cfg inetd "$S_IP" 22)
    printf '#!/bin/sh\nexec /usr/sbin/sshd -i -e -f %s 2>>%s\n' "$cfg" "$WORK/log/sshd-inetd-srvinit.err" \
        >"$WORK/sshd-inetd.sh"
    chmod 755 "$WORK/sshd-inetd.sh"
    cap_start srvinit tgf-s tgf-s0 "$OUTDIR/$f"
    bgrun client-srvinit tgf-c timeout 60 ssh "${SSH_OPTS[@]}" \
        -o "ProxyCommand=socat - TCP-LISTEN:4022,bind=$C_IP,reuseaddr" \
        root@tgf-ssh-server 'echo server-initiated; uname -a'
    cpid=$LASTPID
    wait_listen tgf-c 4022
    bgrun socat-srvinit tgf-s socat "TCP:$C_IP:4022,bind=$S_IP" "EXEC:$WORK/sshd-inetd.sh,nofork"
    spid=$LASTPID
    wait_pid "$cpid" 60
    wait_pid "$spid" 10 || true
    cap_stop srvinit
    teardown
    spec "$f" server-initiated chacha20-poly1305@openssh.com implicit off initiator exec exec 4022 yes
}

# 6. pre-banner text lines before the SSH identification string
scn_prebanner() {
    local f=ssh-prebanner.pcap
    topo2 off
    local cfg; cfg=$(mk_sshd_cfg inetd "$S_IP" 22)
    printf '#!/bin/sh\nprintf "Welcome\\r\\nauthorized use only\\r\\n"\nexec /usr/sbin/sshd -i -e -f %s 2>>%s\n' \
        "$cfg" "$WORK/log/sshd-inetd-prebanner.err" >"$WORK/prebanner.sh"
    chmod 755 "$WORK/prebanner.sh"
    bgrun socat-prebanner tgf-s socat "TCP-LISTEN:2200,bind=$S_IP,reuseaddr,fork" "EXEC:$WORK/prebanner.sh,nofork"
    wait_listen tgf-s 2200
    cap_start prebanner tgf-s tgf-s0 "$OUTDIR/$f"
    cssh prebanner tgf-c -p 2200 "root@$S_IP" "$EXEC_CMD"
    cap_stop prebanner
    teardown
    spec "$f" prebanner chacha20-poly1305@openssh.com implicit off responder exec exec 2200 yes
}

# 7. exec captured with -i any (LINUX_SLL2), stored as pcapng
scn_sll2() {
    local f=ssh-sll2-any.pcapng raw="$WORK/raw/sll2.pcap"
    topo2 off
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    cap_start sll2 tgf-s any "$raw" -y LINUX_SLL2
    cssh sll2 tgf-c "root@$S_IP" "$EXEC_CMD"
    cap_stop sll2
    teardown
    rm -f "$OUTDIR/$f"
    editcap -F pcapng "$raw" "$OUTDIR/$f"
    spec "$f" exec chacha20-poly1305@openssh.com implicit off responder exec exec "" yes
}

# 8. scp of 2 MB with offloads ON (TSO/GSO/GRO) -> super-MTU segments.
# Snaplen 2048 rather than 200: with TSO the client's ~1560-byte KEXINIT
# leaves as ONE 1626-byte frame, so -s 200 (or even -s 1600) cuts it and
# neither tshark nor anything else can compute HASSH or follow the key
# exchange.  2048 keeps every handshake packet whole; only the >MTU GSO/GRO
# super-segments of the bulk phase are truncated (their IP total length still
# says the real size).  The file stays well under 200 KB.
scn_gro_bulk() {
    local f=ssh-gro-bulk.pcap
    topo2 on
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    rm -f "$WORK/upload/upload-2m.bin"
    cap_start gro tgf-s tgf-s0 "$OUTDIR/$f" -s 2048
    ip netns exec tgf-c timeout 60 scp "${SSH_OPTS[@]}" "$WORK/upload-2m.bin" "root@$S_IP:$WORK/upload/" \
        >"$WORK/log/client-gro.out" 2>"$WORK/log/client-gro.err" </dev/null
    cap_stop gro
    teardown
    cmp "$WORK/upload-2m.bin" "$WORK/upload/upload-2m.bin"
    spec "$f" file-transfer chacha20-poly1305@openssh.com implicit on responder file-transfer file-transfer "" yes
}

# 9. non-SSH services: HTTP on port 22, line echo on port 2222
scn_not_ssh() {
    local f=not-ssh-port22.pcap
    topo2 off
    bgrun http22 tgf-s "$PY" -m http.server 22 --bind "$S_IP" --directory "$WORK/www"
    bgrun echo2222 tgf-s socat "TCP-LISTEN:2222,bind=$S_IP,reuseaddr,fork" PIPE
    wait_listen tgf-s 22
    wait_listen tgf-s 2222
    cap_start notssh tgf-s tgf-s0 "$OUTDIR/$f"
    ip netns exec tgf-c curl -q -sS -o /dev/null "http://$S_IP:22/index.html"
    ip netns exec tgf-c curl -q -sS -o /dev/null "http://$S_IP:22/missing.txt" || true
    { for l in "hello echo server" "this is not ssh" "SSH is not spoken here" "bye"; do
          echo "$l"; sleep 0.3; done; } |
        ip netns exec tgf-c socat -t 1 - "TCP:$S_IP:2222" >"$WORK/log/client-echo.out"
    cap_stop notssh
    teardown
    grep -q bye "$WORK/log/client-echo.out"
    spec "$f" not-ssh - - off responder not-ssh not-ssh "" no
}

# 10. fake SSH-1.5 server, real OpenSSH client (protocol mismatch expected)
scn_ssh1() {
    local f=ssh-v1-banner.pcap rc=0
    topo2 off
    printf '#!/bin/sh\nprintf "SSH-1.5-FakeOldServer_1.2.3\\r\\n"\nexec timeout 3 head -c 4096 >/dev/null\n' \
        >"$WORK/fakessh1.sh"
    chmod 755 "$WORK/fakessh1.sh"
    bgrun fake1 tgf-s socat "TCP-LISTEN:22,bind=$S_IP,reuseaddr" "EXEC:$WORK/fakessh1.sh,nofork"
    local fpid=$LASTPID
    wait_listen tgf-s 22
    cap_start ssh1 tgf-s tgf-s0 "$OUTDIR/$f"
    cssh ssh1 tgf-c "root@$S_IP" 'echo never' || rc=$?
    log "ssh to SSH-1.5 server rc=$rc: $(tr '\n' ' ' <"$WORK/log/client-ssh1.err")"
    wait_pid "$fpid" 10 || true
    cap_stop ssh1
    teardown
    spec "$f" ssh1 - - off responder "" - "" no
}

# 11. local port forwarding to an inner HTTP host
scn_forward_local() {
    local f=ssh-forward-local.pcap spid
    topo2 off
    ns_new tgf-i
    veth tgf-s tgf-s1 tgf-i tgf-i0
    offloads tgf-s tgf-s1 off
    offloads tgf-i tgf-i0 off
    ip -n tgf-s addr add "$S2_IP/25" dev tgf-s1
    ip -n tgf-i addr add "$I_IP/25" dev tgf-i0
    ip -n tgf-s link set tgf-s1 up
    ip -n tgf-i link set tgf-i0 up
    bgrun http80 tgf-i "$PY" -m http.server 80 --bind "$I_IP" --directory "$WORK/www"
    wait_listen tgf-i 80
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    cap_start fwd tgf-s tgf-s0 "$OUTDIR/$f"
    bgrun client-fwd tgf-c timeout 60 ssh "${SSH_OPTS[@]}" -N -o ExitOnForwardFailure=yes \
        -L "127.0.0.1:8080:$I_IP:80" "root@$S_IP"
    spid=$LASTPID
    wait_listen tgf-c 8080
    sleep 0.3
    ip netns exec tgf-c curl -q -sS -o "$WORK/dl1.bin" http://127.0.0.1:8080/blob200k.bin
    sleep 0.5
    ip netns exec tgf-c curl -q -sS -o "$WORK/dl2.bin" http://127.0.0.1:8080/blob200k.bin
    sleep 0.5
    stop_pid "$spid" TERM
    cap_stop fwd
    teardown
    cmp "$WORK/dl1.bin" "$WORK/www/blob200k.bin"
    cmp "$WORK/dl2.bin" "$WORK/www/blob200k.bin"
    spec "$f" forward-local chacha20-poly1305@openssh.com implicit off responder forward-local forward-local "" yes
}

# 12. VLAN-tagged link.  The kernel here has no CONFIG_VLAN_8021Q (so no
# `ip link add ... type vlan` and no bridge VLAN filtering); instead each end
# has its IP on a TAP device and vlan-shim.py (a userspace "access port")
# pushes/pops the tags onto/from the veth.  The capture is on the server-side
# veth, so frames carry the tags in-band exactly as on a trunk.
# vlan_topo MTU TPID:VID...
vlan_topo() {
    local mtu=$1 d
    shift
    local tags=("$@")
    ns_new tgf-c
    ns_new tgf-s
    veth tgf-c tgf-c0 tgf-s tgf-s0
    for d in "tgf-c tgf-c0 tgf-ct $C_IP" "tgf-s tgf-s0 tgf-st $S_IP"; do
        set -- $d
        local ns=$1 dev=$2 tap=$3 ip=$4
        offloads "$ns" "$dev" off
        ip netns exec "$ns" ethtool -K "$dev" rxvlan off txvlan off \
            tx-vlan-stag-hw-insert off rx-vlan-stag-hw-parse off >/dev/null 2>&1 || true
        ip -n "$ns" link set "$dev" mtu "$mtu" promisc on up
        ip -n "$ns" tuntap add dev "$tap" mode tap
        ip -n "$ns" link set "$tap" mtu 1500
        ip -n "$ns" addr add "$ip/25" dev "$tap"
        bgrun "shim-$ns" "$ns" "$PY" -u "$HERE/vlan-shim.py" "$tap" "$dev" "${tags[@]}"
        local i
        for ((i = 0; i < 50; i++)); do grep -qs ready "$WORK/log/shim-$ns.out" && break; sleep 0.1; done
        grep -q ready "$WORK/log/shim-$ns.out" || { cat "$WORK/log/shim-$ns.err" >&2; return 1; }
        ip -n "$ns" link set "$tap" up
        offloads "$ns" "$tap" off
    done
}

scn_vlan() {
    local f=ssh-vlan.pcap
    vlan_topo 1500 8100:100
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    cap_start vlan tgf-s tgf-s0 "$OUTDIR/$f"
    cssh vlan tgf-c "root@$S_IP" "$EXEC_CMD"
    cap_stop vlan
    teardown
    spec "$f" exec chacha20-poly1305@openssh.com implicit off responder exec exec "" yes
}

# QinQ: outer 802.1ad S-tag 200, inner 802.1Q C-tag 10.  veth MTU 1508: a
# full 1500-byte IP packet plus two tags is a 1522-byte frame, and AF_PACKET
# only grants the extra 4 bytes for an outer 0x8100 tag, not for 0x88a8.
scn_qinq() {
    local f=ssh-qinq.pcap
    vlan_topo 1508 88a8:200 8100:10
    local cfg; cfg=$(mk_sshd_cfg std "$S_IP" 22)
    start_sshd std tgf-s "$cfg" 22
    cap_start qinq tgf-s tgf-s0 "$OUTDIR/$f"
    cssh qinq tgf-c "root@$S_IP" "$EXEC_CMD"
    cap_stop qinq
    teardown
    spec "$f" exec chacha20-poly1305@openssh.com implicit off responder exec exec "" yes
}

# 13. IPv6 over loopback inside one namespace
scn_ipv6_lo() {
    local f=ssh-ipv6-loopback.pcap
    ns_new tgf-6 v6
    ip netns exec tgf-6 sysctl -qw net.ipv6.conf.lo.disable_ipv6=0
    offloads tgf-6 lo off
    local cfg; cfg=$(mk_sshd_cfg v6 "::1" 22)
    start_sshd v6 tgf-6 "$cfg" 22
    cap_start v6 tgf-6 lo "$OUTDIR/$f"
    cssh v6 tgf-6 -6 -l root ::1 'echo v6'
    cap_stop v6
    teardown
    grep -qx v6 "$WORK/log/client-v6.out"
    spec "$f" exec chacha20-poly1305@openssh.com implicit off responder exec exec "" yes
}

SCENARIOS=(scn_exec_chacha20 scn_interactive scn_port2222 scn_etm_umac scn_server_initiated
    scn_prebanner scn_sll2 scn_gro_bulk scn_not_ssh scn_ssh1 scn_forward_local scn_vlan scn_qinq
    scn_ipv6_lo)
# TGF_ONLY="scn_vlan scn_qinq" restricts the run (debugging; manifest then
# only lists those captures).
if [[ -n ${TGF_ONLY:-} ]]; then read -r -a SCENARIOS <<<"$TGF_ONLY"; fi
for s in "${SCENARIOS[@]}"; do
    log "=== $s"
    "$s"
done

log "writing manifest"
"$PY" "$HERE/manifest.py" "$OUTDIR" "$SPEC"
log "done: $OUTDIR"
