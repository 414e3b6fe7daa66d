using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Reporting;

namespace TunnelGuard.Tests.Rules;

/// <summary>Connection reports built by hand, with the verdict labels the classifier will fill in.</summary>
internal static class TestReports
{
    /// <summary>2026-11-23T10:00:00Z, a Monday.</summary>
    public const long MondayTenUtc = 1_795_428_000_000_000;

    public static ConnectionReport Ssh(
        string label = "forward-remote",
        string client = "198.18.1.1",
        string server = "198.18.1.2",
        ushort clientPort = 40000,
        ushort serverPort = 22,
        double confidence = 0.9,
        string[]? evidence = null,
        string? software = "OpenSSH_9.2p1",
        string? comments = "Debian-2+deb12u10",
        string? hassh = "472b5de333ad665af5cbf10ff892c4df",
        long firstSeenMicros = MondayTenUtc,
        double? decidedAfter = 2.0,
        string? source = "test.pcap")
    {
        var c = IpAddress.Parse(client);
        var s = IpAddress.Parse(server);
        return new ConnectionReport
        {
            IsSsh = label != "not-ssh",
            FirstSeenMicros = firstSeenMicros,
            LastSeenMicros = firstSeenMicros + 10_000_000,
            Client = new Endpoint(c, clientPort),
            Server = new Endpoint(s, serverPort),
            CommunityId = CommunityId.Compute(c, clientPort, s, serverPort),
            StartSeen = true,
            OpenedByServer = false,
            EndReason = FlowEndReason.Closed,
            PacketsToServer = 10,
            PacketsToClient = 12,
            BytesToServer = 1000,
            BytesToClient = 2000,
            SshClient = new SshSideReport("2.0", software, comments, hassh, null, 0),
            SshServer = new SshSideReport("2.0", "OpenSSH_9.2p1", null, "425d29fe50d8e4f5e37efb6e24bcf660", null, 0),
            Verdict = new Verdict(label, confidence, evidence ?? ["37 keystroke-sized packets from the server echoed by the client: reverse interactive channel"], [label], decidedAfter),
            Source = source,
        };
    }
}
