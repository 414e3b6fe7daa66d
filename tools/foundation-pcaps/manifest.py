#!/usr/bin/env python3
"""Build OUTDIR/manifest.json for the foundation captures.

usage: manifest.py OUTDIR SPEC.jsonl

SPEC.jsonl is written by make-pcaps.sh, one JSON object per capture with what
the script *did* (scenario, forced cipher/MAC, labels, which TCP side is the
SSH server, non-standard ports to decode as SSH).  Everything observable
(endpoints, ports, banners, HASSH values, link type) is read back from the
captures with tshark, so the manifest reflects the real bytes.

Per SSH connection:
  hassh / hassh_server   HASSH / HASSHServer computed here from the KEXINIT
                         actually sent by the SSH client / server (reassembled
                         TCP payload, parsed independently of tshark's SSH
                         dissector); null where that side sent none
  tshark_hassh /         exactly what tshark's ssh.kex.hassh /
  tshark_hassh_server    ssh.kex.hasshserver give for the TCP stream (first
                         value; null when tshark gives none)
  tshark_roles_swapped   true when tshark attributed client/server the wrong
                         way round (its ssh.kex.hassh came from the server)
  kex_complete           both sides sent SSH_MSG_NEWKEYS and then more data
"""
import hashlib
import json
import os
import struct
import subprocess
import sys

FIELDS = [
    "frame.number", "tcp.stream", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.seq",
    "tcp.len", "tcp.payload", "ssh.kex.hassh", "ssh.kex.hasshserver",
]


def link_type(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = head[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            return struct.unpack("<I", head[20:24])[0]
        if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            return struct.unpack(">I", head[20:24])[0]
        if magic == b"\x0a\x0d\x0d\x0a":
            f.seek(0)
            data = f.read(1 << 16)
            end = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
            off = 0
            while off + 12 <= len(data):
                btype, blen = struct.unpack(end + "II", data[off:off + 8])
                if btype == 1:  # Interface Description Block
                    return struct.unpack(end + "H", data[off + 8:off + 10])[0]
                if blen < 12:
                    break
                off += blen
    raise ValueError(f"{path}: cannot determine link type")


def tshark_rows(path, decode_ports):
    cmd = ["tshark", "-n", "-r", path, "-Y", "tcp"]
    for p in decode_ports:
        cmd += ["-d", f"tcp.port=={p},ssh"]
    cmd += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for fld in FIELDS:
        cmd += ["-e", fld]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(FIELDS) - len(vals))
        yield dict(zip(FIELDS, vals))


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def reassemble(segments):
    """segments: {seq: bytes}.  Contiguous bytes from the lowest seq (stops at
    the first hole, e.g. a snaplen-truncated segment).  Returns (start, data)."""
    if not segments:
        return None, b""
    start = min(segments)
    data = bytearray()
    nxt = start
    for seq in sorted(segments):
        chunk = segments[seq]
        if seq > nxt:
            break
        skip = nxt - seq
        if skip < len(chunk):
            data += chunk[skip:]
            nxt = seq + len(chunk)
    return start, bytes(data)


def name_lists(payload):
    """KEXINIT payload (starting with the message code) -> 10 name-lists."""
    pos = 1 + 16
    out = []
    for _ in range(10):
        (n,) = struct.unpack(">I", payload[pos:pos + 4])
        out.append(payload[pos + 4:pos + 4 + n].decode("ascii", "replace"))
        pos += 4 + n
    return out


def parse_ssh(data):
    """Clear-text part of one direction of an SSH stream."""
    res = {"pre_banner": [], "banner": None, "kexinit": None, "newkeys_end": None}
    pos = 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            return res
        line = data[pos:nl + 1]
        pos = nl + 1
        text = line.rstrip(b"\r\n").decode("ascii", "replace")
        if line.startswith(b"SSH-"):
            res["banner"] = text
            break
        res["pre_banner"].append(text)
    while pos + 6 <= len(data):
        (plen,) = struct.unpack(">I", data[pos:pos + 4])
        padlen = data[pos + 4]
        if plen < 5 or plen > 262144 or pos + 4 + plen > len(data):
            break
        payload = data[pos + 5:pos + 4 + plen - padlen]
        pos += 4 + plen          # no MAC before NEWKEYS
        if payload[:1] == b"\x14" and res["kexinit"] is None:
            try:
                res["kexinit"] = name_lists(payload)
            except struct.error:
                pass
        if payload[:1] == b"\x15":
            res["newkeys_end"] = pos
            break
    return res


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def hassh_of(kexinit):
    if not kexinit:
        return None, None
    kex, _hk, enc_cs, enc_sc, mac_cs, mac_sc, cmp_cs, cmp_sc = kexinit[:8]
    return md5(";".join([kex, enc_cs, mac_cs, cmp_cs])), md5(";".join([kex, enc_sc, mac_sc, cmp_sc]))


def software_of(banner):
    if not banner:
        return None
    parts = banner.split("-", 2)  # SSH-protoversion-softwareversion SP comments
    return parts[2] if len(parts) == 3 else None


def analyse(path, decode_ports):
    streams = {}
    for r in tshark_rows(path, decode_ports):
        if r["tcp.stream"] == "":
            continue
        sid = int(r["tcp.stream"])
        src = r["ip.src"] or r["ipv6.src"]
        dst = r["ip.dst"] or r["ipv6.dst"]
        a = endpoint(src, r["tcp.srcport"])
        b = endpoint(dst, r["tcp.dstport"])
        s = streams.setdefault(sid, {"first": (a, b), "syn": None, "segs": {}, "max_end": {},
                                     "hassh": [], "hassh_server": []})
        if r["tcp.flags.syn"] in ("1", "True") and r["tcp.flags.ack"] in ("0", "False") and s["syn"] is None:
            s["syn"] = (a, b)
        tlen = int(r["tcp.len"] or 0)
        if tlen:
            seq = int(r["tcp.seq"])
            s["max_end"][a] = max(s["max_end"].get(a, 0), seq + tlen)
            payload = bytes.fromhex(r["tcp.payload"].replace(":", ""))
            segs = s["segs"].setdefault(a, {})
            if len(payload) > len(segs.get(seq, b"")):
                segs[seq] = payload
        for v in r["ssh.kex.hassh"].split(","):
            if v:
                s["hassh"].append((a, v))
        for v in r["ssh.kex.hasshserver"].split(","):
            if v:
                s["hassh_server"].append((a, v))
    return streams


def main():
    outdir, spec_path = sys.argv[1], sys.argv[2]
    specs = [json.loads(l) for l in open(spec_path) if l.strip()]
    captures, problems, notes = [], [], []
    for sp in specs:
        fname = sp["file"]
        path = os.path.join(outdir, fname)
        lt = link_type(path)
        streams = analyse(path, sp["decode_ports"])
        conns = []
        cap_client_sw = cap_server_sw = None
        if not streams:
            problems.append(f"{fname}: no TCP streams")
        for sid in sorted(streams):
            s = streams[sid]
            init, resp = s["syn"] if s["syn"] else s["first"]
            if s["syn"] is None:
                problems.append(f"{fname} stream {sid}: no SYN seen")
            parsed, starts = {}, {}
            for side in (init, resp):
                starts[side], data = reassemble(s["segs"].get(side, {}))
                parsed[side] = parse_ssh(data)
            if sp["scenario"] == "not-ssh":
                for side in (init, resp):
                    if parsed[side]["banner"]:
                        problems.append(f"{fname} stream {sid}: SSH banner in not-ssh flow")
                conns.append({"client": init, "server": resp, "initiator": "client",
                              "labels": ["not-ssh"], "primary": "not-ssh",
                              "hassh": None, "hassh_server": None, "tcp_stream": sid})
                continue
            if sp["ssh_server_role"] == "responder":
                client, server, initiator = init, resp, "client"
            else:
                client, server, initiator = resp, init, "server"
            pc, ps = parsed[client], parsed[server]
            if not pc["banner"] or not ps["banner"]:
                problems.append(f"{fname} stream {sid}: missing banner client={pc['banner']!r} "
                                f"server={ps['banner']!r}")

            def sent_encrypted(side):
                p = parsed[side]
                if p["newkeys_end"] is None or starts[side] is None:
                    return False
                return s["max_end"].get(side, 0) > starts[side] + p["newkeys_end"]
            kex_complete = all(parsed[x]["newkeys_end"] is not None and sent_encrypted(x)
                               for x in (client, server))
            if sp["expect_kex"] and not kex_complete:
                problems.append(f"{fname} stream {sid}: key exchange not complete")

            t_hassh = s["hassh"][0] if s["hassh"] else (None, None)
            t_hassh_srv = s["hassh_server"][0] if s["hassh_server"] else (None, None)
            swapped = (t_hassh[0] is not None and t_hassh[0] != client) or \
                      (t_hassh_srv[0] is not None and t_hassh_srv[0] != server)
            c_hassh, _ = hassh_of(pc["kexinit"])
            _, c_hassh_srv = hassh_of(ps["kexinit"])
            if sp["expect_kex"] and (c_hassh is None or c_hassh_srv is None):
                problems.append(f"{fname} stream {sid}: could not parse both KEXINITs")
            if not swapped:
                for what, t, c in (("hassh", t_hassh[1], c_hassh), ("hassh_server", t_hassh_srv[1], c_hassh_srv)):
                    if t is not None and t != c:
                        problems.append(f"{fname} stream {sid}: tshark {what} {t} != computed {c}")
            if sp["expect_kex"] and (t_hassh[1] is None or t_hassh_srv[1] is None):
                notes.append(f"{fname} stream {sid}: tshark gave hassh={t_hassh[1]!r} "
                             f"hasshServer={t_hassh_srv[1]!r}")
            if swapped:
                notes.append(f"{fname} stream {sid}: tshark swapped SSH roles (its hassh came from "
                             f"{t_hassh[0]}, the SSH server)")
            if cap_client_sw is None:
                cap_client_sw, cap_server_sw = software_of(pc["banner"]), software_of(ps["banner"])
            conn = {"client": client, "server": server, "initiator": initiator,
                    "labels": list(sp["labels"]), "primary": sp["primary"],
                    "hassh": c_hassh, "hassh_server": c_hassh_srv,
                    "tshark_hassh": t_hassh[1], "tshark_hassh_server": t_hassh_srv[1],
                    "tshark_roles_swapped": swapped,
                    "client_banner": pc["banner"], "server_banner": ps["banner"],
                    "kex_complete": kex_complete, "tcp_stream": sid}
            if ps["pre_banner"]:
                conn["server_pre_banner_lines"] = ps["pre_banner"]
            conns.append(conn)
        captures.append({
            "file": fname, "scenario": sp["scenario"],
            "client_software": cap_client_sw, "server_software": cap_server_sw,
            "cipher": sp["cipher"], "mac": sp["mac"], "link_type": lt,
            "offloads": sp["offloads"], "connections": conns,
        })
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump({"version": 1, "captures": captures}, f, indent=2)
        f.write("\n")
    for c in captures:
        print(f"{c['file']:34s} lt={c['link_type']:<4d} {c['scenario']:16s} "
              + "; ".join(f"{x['client']}->{x['server']} {x['labels']}"
                          + (f" kex={x['kex_complete']}" if "kex_complete" in x else "")
                          for x in c["connections"]), file=sys.stderr)
    for n in notes:
        print("NOTE: " + n, file=sys.stderr)
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
