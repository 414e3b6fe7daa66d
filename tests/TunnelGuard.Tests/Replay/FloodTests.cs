using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Replay;

/// <summary>A real SSH connection hidden in a SYN flood of 100,000 short flows, through a table of 1,024.</summary>
public sealed class FloodTests
{
    [Fact]
    public void SshConnectionInASynFlood_IsStillFingerprintedAndClassified_WithinTheTableBound()
    {
        using var dir = new TempDirectory();
        var path = BuildFlood(RepoPaths.Pcap("ssh-exec-chacha20.pcap"), 100_000, dir);
        var sink = new ListSink();
        var pipeline = new PacketPipeline(new FlowTableOptions { MaxFlows = 1024 }, sink, reportAllFlows: false, "flood.pcap");
        var maxFlows = 0;
        using (var reader = CaptureFileReader.Open(path))
        {
            while (reader.TryRead(out var packet))
            {
                pipeline.Process(packet);
                maxFlows = Math.Max(maxFlows, pipeline.Flows.Count);
            }
        }

        pipeline.Complete();

        Assert.True(maxFlows <= 1024, $"the table grew to {maxFlows} flows");
        Assert.True(pipeline.Flows.FlowsEvicted >= 100_000 - 1024, $"only {pipeline.Flows.FlowsEvicted} evictions counted");
        var ssh = Assert.Single(sink.Reports);
        Assert.Equal("472b5de333ad665af5cbf10ff892c4df", ssh.SshClient?.Hassh);
        Assert.Equal("exec", ssh.Verdict.Label);
    }

    [Fact]
    public void Replay_MaxFlows_BoundsTheTable_AndStatsCountTheEvictions()
    {
        using var dir = new TempDirectory();
        var path = BuildFlood(RepoPaths.Pcap("ssh-exec-chacha20.pcap"), 2_000, dir);

        var run = CliRun.Of("replay", path, "--max-flows", "64", "--stats");
        var tooSmall = CliRun.Of("replay", path, "--max-flows", "8");

        Assert.True(run.ExitCode == 0, run.Error);
        var stats = Regex.Match(run.Error, @"^stats: 1 file\(s\), 2052 packets in [0-9.]+ s = [0-9]+ packets/s; flows 2001, table bound 64, peak 64, evicted (?<evicted>[0-9]+), expired [0-9]+; SSH connections 1$", RegexOptions.Multiline);
        Assert.True(stats.Success, run.Error);
        Assert.InRange(int.Parse(stats.Groups["evicted"].Value, CultureInfo.InvariantCulture), 2_001 - 64, 2_001);
        using var ssh = JsonDocument.Parse(Assert.Single(run.OutLines));
        Assert.Equal("exec", ssh.RootElement.GetProperty("verdict").GetProperty("label").GetString());
        Assert.Equal(2, tooSmall.ExitCode);
        Assert.Contains("--max-flows must be between 16 and 50,000,000, not 8", tooSmall.Error, StringComparison.Ordinal);
    }

    /// <summary>Interleaves the capture's packets with <paramref name="synCount"/> SYNs from distinct flows, in time order.</summary>
    private static string BuildFlood(string source, int synCount, TempDirectory dir)
    {
        var packets = new List<(long Time, byte[] Frame, int Original)>();
        using (var reader = CaptureFileReader.Open(source))
        {
            while (reader.TryRead(out var packet))
            {
                packets.Add((packet.TimestampMicros, packet.Data.ToArray(), packet.OriginalLength));
            }
        }

        var start = packets[0].Time - 100_000;
        var span = packets[^1].Time - start + 200_000;
        for (var i = 0; i < synCount; i++)
        {
            var source4 = $"198.19.{(i >> 8) & 0xFF}.{i & 0xFF}";
            var syn = Frames.Tcp((ushort)(1024 + (i % 60000)), 22, (uint)i, TcpFlags.Syn, []);
            packets.Add((start + (span * i / synCount), Frames.Ethernet(Frames.Ipv4(source4, "198.18.1.2", syn), 0x0800), 0));
        }

        var builder = new PcapBuilder();
        foreach (var (time, frame, original) in packets.OrderBy(p => p.Time))
        {
            builder.Add(frame, time, original == 0 ? null : original);
        }

        return builder.WriteTo(dir.Path, "flood.pcap");
    }
}
