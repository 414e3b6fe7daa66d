using TunnelGuard.Reporting;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Replay;

/// <summary>
/// tshark, an independent dissector, reads the same captures: every identification line and every HASSH it computes
/// from a KEXINIT must be what we report for the side that sent it. (tshark names client and server by TCP
/// initiator and port, so it calls a server-initiated connection's fingerprints by the wrong names; we compare the
/// values per sending endpoint, and check roles against the manifest elsewhere.)
/// </summary>
public sealed class TsharkOracleTests
{
    [Theory]
    [MemberData(nameof(RepoPaths.PcapFiles), MemberType = typeof(RepoPaths))]
    public void BannersAndHassh_AgreeWithTshark(string pcap)
    {
        var path = RepoPaths.Pcap(pcap);
        var reports = Replayer.Ssh(path);
        var args = new List<string> { "-r", path, "-n", "-T", "fields", "-E", "separator=|", "-E", "occurrence=f" };
        foreach (var port in reports.SelectMany(r => new[] { r.Server.Port, r.Client.Port }).Distinct())
        {
            args.AddRange(["-d", $"tcp.port=={port},ssh"]);
        }

        args.AddRange(["-Y", "ssh.protocol || ssh.kex.hassh || ssh.kex.hasshserver"]);
        foreach (var field in new[] { "ip.src", "ipv6.src", "tcp.srcport", "ssh.protocol", "ssh.kex.hassh", "ssh.kex.hasshserver" })
        {
            args.AddRange(["-e", field]);
        }

        var lines = ProcessRunner.Run("tshark", [.. args]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var checkedValues = 0;
        foreach (var line in lines)
        {
            var f = line.Split('|');
            var sender = $"{(f[0].Length > 0 ? f[0] : $"[{f[1]}]")}:{f[2]}";
            var (report, side) = FindSide(reports, sender);
            Assert.True(report is not null, $"{pcap}: tshark saw SSH from {sender}, we report no SSH connection with that endpoint");
            if (f[3].StartsWith("SSH-", StringComparison.Ordinal))
            {
                Assert.Equal(f[3].TrimEnd('\r', '\n'), $"SSH-{side!.ProtoVersion}-{side.FullSoftwareVersion}");
                checkedValues++;
            }

            var hassh = f[4].Length > 0 ? f[4] : f[5];
            if (hassh.Length > 0)
            {
                Assert.Equal(hassh, side!.Hassh);
                checkedValues++;
            }
        }

        if (reports.Count > 0)
        {
            Assert.True(checkedValues > 0, $"{pcap}: tshark confirmed nothing about {reports.Count} SSH connection(s)");
        }
    }

    private static (ConnectionReport? Report, SshSideReport? Side) FindSide(List<ConnectionReport> reports, string endpoint)
    {
        foreach (var r in reports)
        {
            if (r.Client.ToString() == endpoint)
            {
                return (r, r.SshClient);
            }

            if (r.Server.ToString() == endpoint)
            {
                return (r, r.SshServer);
            }
        }

        return (null, null);
    }
}
