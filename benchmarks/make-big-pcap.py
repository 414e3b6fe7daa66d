#!/usr/bin/env python3
"""Makes a large multi-flow pcap for throughput runs out of the committed real captures in pcaps/.

Each "unit" is one copy of one committed capture. Unit j gets its own addresses (the first 16-bit word of every IPv4
address, the third of every IPv6 address, has j added to it; checksums are patched incrementally, RFC 1624) and starts
OFFSET_US microseconds after unit j-1, and all units are merged in timestamp order. So the output has thousands of
distinct, overlapping, real TCP flows (SSH handshakes, keystrokes, bulk data, a tunnel, non-SSH) with real payloads.

SLL2 frames (the pcapng taken on "any") are given a 14-byte Ethernet header instead, so that the output is one
classic pcap with one link type, which tcpdump and tunnelguard both read.

Usage: make-big-pcap.py PCAPS_DIR COPIES OUT.pcap
"""

import glob
import heapq
import os
import struct
import sys

OFFSET_US = 500  # between consecutive units: ~0.5 ms, so about 2,000 flows are open at once
BASE_US = 1_700_000_000 * 1_000_000
LINKTYPE_ETHERNET = 1
LINKTYPE_SLL2 = 276
FAKE_ETHERNET = bytes.fromhex("020000000002" "020000000001")


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian, nanos = {
        b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
        b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True),
    }[magic]
    link = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
    pos, frames = 24, []
    while pos + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + incl]
        frames.append((sec * 1_000_000 + (frac // 1000 if nanos else frac), frame, orig, link))
        pos += 16 + incl
    return frames


def read_pcapng(path):
    """Enough of pcapng for one little-endian section: IDB link types and tsresol, EPB records."""
    with open(path, "rb") as f:
        data = f.read()
    pos, links, resol, frames = 0, [], [], []
    while pos + 12 <= len(data):
        btype, blen = struct.unpack("<II", data[pos:pos + 8])
        body = data[pos + 8:pos + blen - 4]
        if btype == 1:
            links.append(struct.unpack("<H", body[:2])[0])
            res, opt = 6, 8
            while opt + 4 <= len(body):
                code, olen = struct.unpack("<HH", body[opt:opt + 4])
                if code == 0:
                    break
                if code == 9:
                    v = body[opt + 4]
                    res = v if v < 128 else None
                opt += 4 + ((olen + 3) & ~3)
            resol.append(res)
        elif btype == 6:
            iface, hi, lo, incl, orig = struct.unpack("<IIIII", body[:20])
            ticks = (hi << 32) | lo
            r = resol[iface]
            micros = ticks * 10**6 // 10**r if r is not None else ticks
            frames.append((micros, body[20:20 + incl], orig, links[iface]))
        pos += blen
    return frames


def to_ethernet(frame, orig, link):
    if link == LINKTYPE_ETHERNET:
        return frame, orig
    if link == LINKTYPE_SLL2:
        return FAKE_ETHERNET + frame[0:2] + frame[20:], orig - 6
    raise SystemExit(f"unsupported link type {link}")


def csum_replace(checksum, old, new):
    """RFC 1624 eqn 3: HC' = ~(~HC + ~m + m'), in 16-bit one's complement."""
    s = (~checksum & 0xFFFF) + (~old & 0xFFFF) + new
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def rewrite(frame, unit):
    """A copy of an Ethernet frame whose IP addresses carry the unit number; TCP/UDP/IP checksums stay consistent."""
    buf = bytearray(frame)
    pos = 12
    ethertype = struct.unpack_from(">H", buf, pos)[0]
    while ethertype in (0x8100, 0x88A8, 0x9100) and pos + 6 <= len(buf):
        pos += 4
        ethertype = struct.unpack_from(">H", buf, pos)[0]
    ip = pos + 2
    if ethertype == 0x0800 and len(buf) >= ip + 20:
        words = (ip + 12, ip + 16)  # first word of source and destination
        header = ip + (buf[ip] & 0x0F) * 4
        proto = buf[ip + 9]
        fragment = struct.unpack_from(">H", buf, ip + 6)[0] & 0x1FFF
        checksums = [ip + 10]
    elif ethertype == 0x86DD and len(buf) >= ip + 40:
        words = (ip + 8 + 4, ip + 24 + 4)  # third word of source and destination
        header = ip + 40
        proto = buf[ip + 6]  # extension headers do not occur in the corpus
        fragment = 0
        checksums = []
    else:
        return bytes(buf)
    if fragment == 0 and proto == 6 and len(buf) >= header + 18:
        checksums.append(header + 16)
    elif fragment == 0 and proto == 17 and len(buf) >= header + 8 and struct.unpack_from(">H", buf, header + 6)[0] != 0:
        checksums.append(header + 6)
    for w in words:
        old = struct.unpack_from(">H", buf, w)[0]
        new = (old + unit) & 0xFFFF
        struct.pack_into(">H", buf, w, new)
        for c in checksums:
            struct.pack_into(">H", buf, c, csum_replace(struct.unpack_from(">H", buf, c)[0], old, new))
    return bytes(buf)


def unit_frames(template, unit, start):
    first = template[0][0]
    for ts, frame, orig in template:
        yield (start + ts - first, unit, rewrite(frame, unit), orig)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    folder, copies, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    templates = []
    for path in sorted(glob.glob(os.path.join(folder, "*.pcap")) + glob.glob(os.path.join(folder, "*.pcapng"))):
        frames = read_pcapng(path) if path.endswith(".pcapng") else read_pcap(path)
        templates.append([(ts, *to_ethernet(frame, orig, link)) for ts, frame, orig, link in frames])
    units = copies * len(templates)
    if units > 65_535:
        raise SystemExit("at most 65,535 units: the unit number is added to one 16-bit address word")
    streams = [unit_frames(templates[u % len(templates)], u + 1, BASE_US + u * OFFSET_US) for u in range(units)]
    count = 0
    with open(out + ".tmp", "wb", buffering=4 * 1024 * 1024) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262_144, LINKTYPE_ETHERNET))
        for ts, _, frame, orig in heapq.merge(*streams):
            f.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(frame), orig))
            f.write(frame)
            count += 1
    os.replace(out + ".tmp", out)
    print(f"{out}: {count} packets: {copies} copies of each of {len(templates)} captures ({units} units)")


if __name__ == "__main__":
    main()
