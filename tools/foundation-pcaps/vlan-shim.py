#!/usr/bin/env python3
"""Userspace VLAN tagger: TAP device <-> tagged frames on a veth.

usage: vlan-shim.py TAPDEV DEV TPID:VID [TPID:VID ...]   (outermost tag first)

Used by make-pcaps.sh because the test machine's kernel is built without
CONFIG_VLAN_8021Q (no `ip link add ... type vlan`, no bridge VLAN filtering).
The IP address lives on the (persistent, pre-created) TAP device; every
Ethernet frame the kernel sends there is re-sent on DEV with the given tags
pushed after the MAC addresses; frames received on DEV get all their VLAN
tags removed and are written to the TAP device.  The TCP/IP stack and SSH
are the real kernel/OpenSSH ones; only the tagging is done here, exactly as
an 802.1Q (or 802.1ad QinQ) access port of a switch would do it.
"""
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
VLAN_TPIDS = (0x8100, 0x88A8)


def main():
    tap, dev, tags = sys.argv[1], sys.argv[2], sys.argv[3:]
    tagbytes = b""
    for t in tags:
        tpid, vid = t.split(":")
        tagbytes += struct.pack("!HH", int(tpid, 16), int(vid) & 0x0FFF)

    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((dev, ETH_P_ALL))
    print("ready", flush=True)

    while True:
        ready, _, _ = select.select([fd, sock], [], [])
        if fd in ready:
            frame = os.read(fd, 65536)
            if len(frame) >= 14:
                try:
                    sock.send(frame[:12] + tagbytes + frame[12:])
                except OSError as e:  # e.g. EMSGSIZE: report, drop, keep going
                    print(f"send {len(frame)} bytes: {e}", file=sys.stderr, flush=True)
        if sock in ready:
            frame, addr = sock.recvfrom(65536)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            # The kernel may already have moved the outer tag to skb metadata;
            # strip whatever tags are still in-band.
            off = 12
            while len(frame) >= off + 4 and struct.unpack("!H", frame[off:off + 2])[0] in VLAN_TPIDS:
                off += 4
            os.write(fd, frame[:12] + frame[off:])


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
