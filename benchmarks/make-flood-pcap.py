#!/usr/bin/env python3
"""Makes a flood capture with the committed real SSH captures mixed in, for benchmarks/flood.sh (docs/hardening.md).

Two kinds:
  flows  FLOWS short TCP connections, 8 packets each: SYN, SYN-ACK, ACK, a 26-byte request, a 64-byte reply, FIN both
         ways and the last ACK. Clients 198.19.0.0/16 (port 1024 + i // 65536), server 198.18.100.1:80.
  syn    FLOWS bare SYNs from distinct spoofed clients in 198.19.0.0/16 to the SSH server 198.18.4.20:22, never answered.

Flow i starts at slot i; packet k of a flow is sent k * STEP slots later, one slot is SLOT_US microseconds. So the
output is in time order without sorting, and about 8 * STEP flows are open at any moment, plus every closed one the
flow table keeps for its linger time. Every IPv4 capture in PCAPS_DIR that the manifest lists (Ethernet, or SLL2
rewritten to Ethernet) is mixed in unchanged except for its timestamps: capture j starts 1 s + j * 0.5 s into the flood.
IP and TCP checksums are correct. The live-* captures (connections of other captures, recorded again at the far end
of a live run) are left out.

Also writes OUT.pcap.expect.json: a corpus manifest for `tunnelguard replay --expect` that lists every mixed-in
connection under the flood file's name, with the labels and HASSH the original manifest gives it.

Usage: make-flood-pcap.py PCAPS_DIR flows|syn FLOWS OUT.pcap
"""

import importlib.util
import json
import os
import struct
import sys

SLOT_US = 25
STEP = 4
BASE_US = 1_800_000_000 * 1_000_000
SSH_START_US = 1_000_000
SSH_GAP_US = 500_000
LINKTYPE_ETHERNET = 1
MACS = bytes.fromhex("020000000002" "020000000001")
MACS_BACK = bytes.fromhex("020000000001" "020000000002")

_spec = importlib.util.spec_from_file_location("big", os.path.join(os.path.dirname(__file__), "make-big-pcap.py"))
big = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(big)


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def words(data):
    if len(data) % 2:
        data += b"\0"
    return sum(struct.unpack(f">{len(data) // 2}H", data))


class Template:
    """One packet of a flow, with the client address's low word and the client port left as zero to fill in per flow.
    The checksums are one's complement sums, so the sums of the fixed parts are computed once."""

    def __init__(self, to_server, flags, seq, ack, payload, server, server_port):
        client = bytes([198, 19, 0, 0])
        src, dst = (client, server) if to_server else (server, client)
        sport, dport = (0, server_port) if to_server else (server_port, 0)
        tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
        self.frame = bytearray((MACS if to_server else MACS_BACK) + b"\x08\x00" + ip + tcp)
        self.ip_sum = words(ip)
        self.tcp_sum = words(src + dst + struct.pack(">HH", 6, len(tcp)) + tcp)
        self.addr_at = 14 + (14 if to_server else 18)  # the client address's low word
        self.port_at = 34 + (0 if to_server else 2)
        self.length = len(self.frame)

    def build(self, low, port):
        f = self.frame
        struct.pack_into(">H", f, self.addr_at, low)
        struct.pack_into(">H", f, self.port_at, port)
        struct.pack_into(">H", f, 24, ~fold(self.ip_sum + low) & 0xFFFF)
        struct.pack_into(">H", f, 50, ~fold(self.tcp_sum + low + port) & 0xFFFF)
        return bytes(f)


def flow_templates():
    server = bytes([198, 18, 100, 1])
    request = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n"[:26]
    reply = b"HTTP/1.0 204 No Content\r\nServer: flood\r\nConnection: close\r\n\r\n\r\n"[:64]
    c, s = 1000, 5000
    syn, ack, psh, fin = 0x02, 0x10, 0x08, 0x01
    return [
        Template(True, syn, c, 0, b"", server, 80),
        Template(False, syn | ack, s, c + 1, b"", server, 80),
        Template(True, ack, c + 1, s + 1, b"", server, 80),
        Template(True, psh | ack, c + 1, s + 1, request, server, 80),
        Template(False, psh | ack, s + 1, c + 1 + len(request), reply, server, 80),
        Template(True, fin | ack, c + 1 + len(request), s + 1 + len(reply), b"", server, 80),
        Template(False, fin | ack, s + 1 + len(reply), c + 2 + len(request), b"", server, 80),
        Template(True, ack, c + 2 + len(request), s + 2 + len(reply), b"", server, 80),
    ]


def syn_templates():
    return [Template(True, 0x02, 7, 0, b"", bytes([198, 18, 4, 20]), 22)]


def ssh_packets(folder):
    """(time, frame, original length) of every mixed-in capture, shifted and merged, and the expected connections."""
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    packets, connections, seen, j = [], [], set(), 0
    for capture in manifest["captures"]:
        conns = capture["connections"]
        if not all(c["client"].startswith("198.18.") and c["server"].startswith("198.18.") for c in conns):
            continue  # the IPv6 loopback capture: the live run is addressed in 198.18.0.0/15 only
        keys = {tuple(sorted((c["client"], c["server"]))) for c in conns}
        if keys & seen:
            # The live-* captures are other captures' connections recorded again at the far end of a live run.
            if capture["file"].startswith("live-"):
                continue
            raise SystemExit(f"{capture['file']}: a connection's addresses repeat another capture's")
        seen |= keys
        path = os.path.join(folder, capture["file"])
        frames = big.read_pcapng(path) if path.endswith(".pcapng") else big.read_pcap(path)
        start = frames[0][0]
        for ts, frame, orig, link in frames:
            frame, orig = big.to_ethernet(frame, orig, link)
            packets.append((BASE_US + SSH_START_US + j * SSH_GAP_US + ts - start, frame, orig))
        connections += conns
        j += 1
    packets.sort(key=lambda p: p[0])
    return packets, connections


def main():
    if len(sys.argv) != 5 or sys.argv[2] not in ("flows", "syn"):
        raise SystemExit(__doc__)
    folder, kind, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if count > 65_536 * 60_000:
        raise SystemExit("too many flows for distinct client address and port pairs")
    templates = flow_templates() if kind == "flows" else syn_templates()
    ssh, connections = ssh_packets(folder)
    last = count - 1 + (len(templates) - 1) * STEP
    pos = 0
    record = struct.Struct("<IIII")
    written = 0
    with open(out + ".tmp", "wb", buffering=8 * 1024 * 1024) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262_144, LINKTYPE_ETHERNET))
        chunk = []
        for slot in range(last + 1):
            now = BASE_US + slot * SLOT_US
            while pos < len(ssh) and ssh[pos][0] <= now:
                ts, frame, orig = ssh[pos]
                chunk.append(record.pack(ts // 1_000_000, ts % 1_000_000, len(frame), orig))
                chunk.append(frame)
                pos += 1
            sec, usec = divmod(now, 1_000_000)
            for k, template in enumerate(templates):
                i = slot - k * STEP
                if 0 <= i < count:
                    chunk.append(record.pack(sec, usec, template.length, template.length))
                    chunk.append(template.build(i & 0xFFFF, 1024 + (i >> 16)))
                    written += 1
            if len(chunk) > 65_536:
                f.write(b"".join(chunk))
                chunk.clear()
        for ts, frame, orig in ssh[pos:]:
            chunk.append(record.pack(ts // 1_000_000, ts % 1_000_000, len(frame), orig))
            chunk.append(frame)
        f.write(b"".join(chunk))
    os.replace(out + ".tmp", out)
    name = os.path.basename(out)
    with open(out + ".expect.json", "w") as f:
        json.dump({"version": 1, "captures": [{"file": name, "connections": connections}]}, f, indent=1)
    print(f"{out}: {written + len(ssh)} packets: {count} {'short flows' if kind == 'flows' else 'SYNs'} ({written} packets) and {len(connections)} "
          f"connections from the corpus ({len(ssh)} packets) over {(last * SLOT_US) / 1e6:.1f} s of packet time")


if __name__ == "__main__":
    main()
