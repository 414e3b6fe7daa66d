#!/usr/bin/env python3
"""Checks the SSH connections found in a flood run against the manifest and against the same captures replayed alone.

For every connection that benchmarks/make-flood-pcap.py mixed in (OUT.pcap.expect.json), it looks up the report with
the same client and server in the flood run's JSON lines and compares the client and server HASSH and the verdict
label with (a) what the manifest says and (b) what `tunnelguard replay pcaps/` gives for that connection without the
flood. Prints one summary line per source and the differences; exits 1 if the flood run differs from the run without
the flood in any connection (a connection missing, a fingerprint or a verdict changed).

With --live (a capture sent with tcpreplay, whose timing is not the capture's own when the sender falls behind, and
the verdicts depend on timing) only a missing connection or a changed fingerprint fails; changed verdicts are listed.

Usage: flood-check.py [--live] EXPECT.json FLOOD.jsonl ALONE.jsonl
"""

import json
import sys


def reports(path):
    found = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("event_type") != "ssh":
                continue
            key = (f"{r['src_ip']}:{r['src_port']}", f"{r['dest_ip']}:{r['dest_port']}")
            ssh = r.get("ssh", {})
            found[key] = (ssh.get("client", {}).get("hassh"), ssh.get("server", {}).get("hassh"), r["verdict"]["label"])
    return found


def main():
    args = sys.argv[1:]
    live = args[:1] == ["--live"]
    args = args[1:] if live else args
    if len(args) != 3:
        raise SystemExit(__doc__)
    expect = json.load(open(args[0]))["captures"][0]["connections"]
    flood, alone = reports(args[1]), reports(args[2])
    ssh = [c for c in expect if c.get("primary") not in ("not-ssh",)]
    as_manifest = as_alone = 0
    problems, known, retimed = [], [], []
    for c in ssh:
        key = (c["client"], c["server"])
        want = (c.get("hassh"), c.get("hassh_server"), c.get("primary") or "unknown")
        got, base = flood.get(key), alone.get(key)
        if got == base and got is not None:
            as_alone += 1
        elif live and got is not None and base is not None and got[:2] == base[:2]:
            retimed.append(f"  {key[0]} -> {key[1]}: verdict {got[2]}, alone {base[2]}")
        else:
            problems.append(f"  {key[0]} -> {key[1]}: flood {got}, alone {base}")
        if got is not None and got[0] == want[0] and (want[1] is None or got[1] == want[1]) and got[2] == want[2]:
            as_manifest += 1
        elif base == got:
            known.append(f"  {key[0]} -> {key[1]}: manifest {want}, flood and alone {got}")
    not_ssh = [c for c in expect if c.get("primary") == "not-ssh"]
    wrongly = [c for c in not_ssh if (c["client"], c["server"]) in flood]
    print(f"ssh connections: {len(ssh)} mixed in, {sum(1 for c in ssh if (c['client'], c['server']) in flood)} found, "
          f"{as_alone} identical to the replay without flood (HASSH both ways and verdict), "
          + (f"{len(retimed)} with the same HASSH but another verdict, " if live else "") +
          f"{as_manifest} as the manifest says; not-ssh flows reported as ssh: {len(wrongly)} of {len(not_ssh)}")
    if known:
        print("differ from the manifest, and equally without the flood (the classifier's own errors):")
        print("\n".join(known))
    if retimed:
        print("same fingerprints, verdict changed by the live timing:")
        print("\n".join(retimed))
    if problems or wrongly:
        print("changed by the flood:")
        print("\n".join(problems + [f"  {c['client']} -> {c['server']} reported as ssh" for c in wrongly]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
