using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Replay;

public sealed class MidStreamTests
{
    /// <summary>Copies a capture without its first <paramref name="skip"/> packets, and without SYNs if asked.</summary>
    private static string WithoutFirstPackets(string source, int skip, TempDirectory dir, bool dropSyns = false)
    {
        var builder = new PcapBuilder();
        using var reader = CaptureFileReader.Open(source);
        var index = 0;
        while (reader.TryRead(out var packet))
        {
            var isSyn = PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var tcp) == DecodeResult.Tcp && tcp.Has(TcpFlags.Syn);
            if (index++ >= skip && !(dropSyns && isSyn))
            {
                builder.Add(packet.Data.ToArray(), packet.TimestampMicros, packet.OriginalLength);
            }
        }

        return builder.WriteTo(dir.Path, "cut.pcap");
    }

    [Fact]
    public void HandshakeWithoutSyn_IsStillSsh_WithStartNotSeen_AndRolesFromKeyExchange()
    {
        using var dir = new TempDirectory();
        var path = WithoutFirstPackets(RepoPaths.Pcap("ssh-server-initiated.pcap"), 0, dir, dropSyns: true);

        var report = Assert.Single(Replayer.Ssh(path));

        Assert.False(report.StartSeen);
        Assert.Equal(TunnelGuard.Ssh.SshRoleBasis.KeyExchange, report.RoleBasis);
        Assert.Equal(4022, report.Client.Port);
        Assert.Equal("472b5de333ad665af5cbf10ff892c4df", report.SshClient?.Hassh);
    }

    [Fact]
    public void FlowPickedUpAfterTheHandshake_IsReportedAsAFlowWhoseStartWasNotSeen()
    {
        using var dir = new TempDirectory();
        var path = WithoutFirstPackets(RepoPaths.Pcap("ssh-forward-local.pcap"), 30, dir);

        var reports = Replayer.Run(path);

        Assert.DoesNotContain(reports, r => r.IsSsh);
        Assert.Contains(reports, r => !r.StartSeen && r.Server.Port == 22 && r.BytesToClient > 100_000);
    }
}
