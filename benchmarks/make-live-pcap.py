#!/usr/bin/env python3
"""Rewrites a capture from make-big-pcap.py so that it can be sent into a test veth pair (benchmarks/live-capture.sh).

- Every IPv4 address is mapped, one to one in order of first appearance, to an address in NETWORK (default
  198.19.0.0/16; it must lie in 198.18.0.0/15, the RFC 2544 benchmarking space; the veth pair itself uses 198.18.9.0/24). The IP and TCP checksums are patched incrementally
  (RFC 1624), so they stay exactly as valid as they were.
- Every frame gets the given source and destination MAC (the sending and receiving veth ends).
- Dropped: 802.1ad (QinQ) frames, which a veth drops on receipt before any capture sees them (counted as the
  receiving end's rx_dropped); IPv6 frames (their addresses cannot be put in 198.18.0.0/15), frames that are not TCP, and frames longer
  than MAX_FRAME (the GRO capture's 64 KB segments, which a 1500-byte-MTU veth refuses to send).

Usage: make-live-pcap.py IN.pcap OUT.pcap SRC_MAC DST_MAC [NETWORK]
"""

import importlib.util
import ipaddress
import os
import struct
import sys

# Ethernet header + 1500-byte MTU, tags included: tcpreplay got EMSGSIZE for longer tagged frames on a 1500-MTU veth
MAX_FRAME = 1514

spec = importlib.util.spec_from_file_location("big", os.path.join(os.path.dirname(__file__), "make-big-pcap.py"))
big = importlib.util.module_from_spec(spec)
spec.loader.exec_module(big)


def main():
    if len(sys.argv) not in (5, 6):
        raise SystemExit(__doc__)
    network = ipaddress.IPv4Network(sys.argv[5] if len(sys.argv) == 6 else "198.19.0.0/16")
    if not network.subnet_of(ipaddress.IPv4Network("198.18.0.0/15")):
        raise SystemExit(f"{network} is not inside 198.18.0.0/15")
    base, pool = int(network.network_address), network.num_addresses
    source, out = sys.argv[1], sys.argv[2]
    macs = bytes.fromhex(sys.argv[4].replace(":", "")) + bytes.fromhex(sys.argv[3].replace(":", ""))
    mapping = {}
    kept = dropped = 0
    with open(source, "rb", buffering=4 * 1024 * 1024) as f, open(out + ".tmp", "wb", buffering=4 * 1024 * 1024) as o:
        header = f.read(24)
        if header[:4] != b"\xd4\xc3\xb2\xa1" or struct.unpack("<I", header[20:24])[0] != big.LINKTYPE_ETHERNET:
            raise SystemExit(f"{source}: expected a little-endian microsecond Ethernet pcap from make-big-pcap.py")
        o.write(header)
        while True:
            record = f.read(16)
            if len(record) < 16:
                break
            sec, usec, incl, orig = struct.unpack("<IIII", record)
            frame = f.read(incl)
            pos = 12
            ethertype = struct.unpack_from(">H", frame, pos)[0]
            while ethertype == 0x8100 and pos + 6 <= len(frame):
                pos += 4
                ethertype = struct.unpack_from(">H", frame, pos)[0]
            ip = pos + 2
            if (ethertype != 0x0800 or len(frame) < ip + 20 or frame[ip + 9] != 6 or incl != orig
                    or len(frame) > MAX_FRAME):
                dropped += 1
                continue
            buf = bytearray(frame)
            buf[0:12] = macs
            tcp = ip + (buf[ip] & 0x0F) * 4
            fragment = struct.unpack_from(">H", buf, ip + 6)[0] & 0x1FFF
            checksums = [ip + 10] + ([tcp + 16] if fragment == 0 and len(buf) >= tcp + 18 else [])
            for a in (ip + 12, ip + 16):
                old = struct.unpack_from(">I", buf, a)[0]
                new = mapping.get(old)
                if new is None:
                    if len(mapping) >= pool - 2:
                        raise SystemExit(f"more distinct IPv4 addresses than {network} holds: use fewer copies")
                    new = mapping[old] = base + 1 + len(mapping)
                struct.pack_into(">I", buf, a, new)
                for c in checksums:
                    value = struct.unpack_from(">H", buf, c)[0]
                    value = big.csum_replace(value, old >> 16, new >> 16)
                    value = big.csum_replace(value, old & 0xFFFF, new & 0xFFFF)
                    struct.pack_into(">H", buf, c, value)
            o.write(record)
            o.write(buf)
            kept += 1
    os.replace(out + ".tmp", out)
    print(f"{out}: {kept} TCP/IPv4 frames kept, {dropped} dropped (802.1ad, IPv6, not TCP, truncated or over {MAX_FRAME} B), "
          f"{len(mapping)} addresses in {network}")


if __name__ == "__main__":
    main()
