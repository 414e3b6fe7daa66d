using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Pipeline;

/// <summary>
/// A sharded pipeline gives exactly the reports of one pipeline, in the same order, for any number of shards, as long
/// as no shard's table reaches its bound: flows that end at the same packet in different shards, the flush at the end,
/// the packets read before a file turned out to be cut short.
/// </summary>
public sealed class ShardedPipelineTests
{
    private const string Client = "198.18.0.1";
    private const string Server = "198.18.0.2";

    // Short timeouts, so that a few seconds of crafted packets end flows in every step of FlowTable.Advance.
    private static readonly FlowTableOptions ShortTimeouts = new()
    {
        IdleTimeout = TimeSpan.FromSeconds(10),
        ProbationTimeout = TimeSpan.FromSeconds(5),
        ClosedLinger = TimeSpan.FromSeconds(1),
    };

    [Theory]
    [MemberData(nameof(RepoPaths.PcapFiles), MemberType = typeof(RepoPaths))]
    public void CommittedCapture_TwoAndThreeShards_ReportWhatOnePipelineReports(string name)
    {
        var path = RepoPaths.Pcap(name);
        var expected = Single(path, new FlowTableOptions());

        Assert.Equal(expected, Sharded(path, new FlowTableOptions(), 2));
        Assert.Equal(expected, Sharded(path, new FlowTableOptions(), 3));
    }

    [Fact]
    public void AllCommittedCapturesInterleavedWithThousandsOfShortFlows_ShardsReportWhatOnePipelineReports()
    {
        using var dir = new TempDirectory();
        var path = ManyFlows(dir, synCount: 3_000);
        var expected = Single(path, new FlowTableOptions());

        // Thousands of SYNs on probation time out at packets of other flows, many at the same packet.
        Assert.True(expected.Count > 3_000, $"only {expected.Count} reports");
        Assert.True(expected.Count(r => r.Contains("\"end_reason\":\"idle\"", StringComparison.Ordinal)) > 2_000);
        Assert.Equal(expected, Sharded(path, new FlowTableOptions(), 2));
        Assert.Equal(expected, Sharded(path, new FlowTableOptions(), 3));
        Assert.Equal(expected, Sharded(path, new FlowTableOptions(), 7));
    }

    [Fact]
    public void FlowsOfDifferentShardsEndingAtOnePacket_AreReportedInOnePipelinesOrder()
    {
        using var dir = new TempDirectory();
        var builder = new PcapBuilder();
        var t = 1_000_000_000_000L;

        // Two flows of each kind, the two in different shards and touched last in the opposite order to their start,
        // so that neither shard number nor start order gives the order one table ends them in.
        var closed = new[] { PortIn(0, 2, 41000), PortIn(1, 2, 41000) };
        var probation = new[] { PortIn(0, 2, 42000), PortIn(1, 2, 42000) };
        var active = new[] { PortIn(0, 2, 43000), PortIn(1, 2, 43000) };
        foreach (var port in closed)
        {
            builder.Add(Packet(port, TcpFlags.Syn, []), t += 1000);
            builder.Add(Packet(port, TcpFlags.Ack | TcpFlags.Psh, "hello"u8), t += 1000);
        }

        foreach (var port in probation.Concat(active))
        {
            builder.Add(Packet(port, TcpFlags.Syn, []), t += 1000);
        }

        foreach (var port in active.Reverse())
        {
            builder.Add(Packet(port, TcpFlags.Ack | TcpFlags.Psh, "data"u8), t += 1000);
        }

        foreach (var port in closed.Reverse())
        {
            builder.Add(Packet(port, TcpFlags.Fin | TcpFlags.Ack, []), t += 1000);
            builder.Add(Reply(port, TcpFlags.Fin | TcpFlags.Ack), t += 1000);
        }

        // One packet of another flow, a minute later: every flow above ends at it, in all three steps of Advance.
        var late = PortIn(1, 2, 44000);
        builder.Add(Packet(late, TcpFlags.Syn, []), t + 60_000_000);
        var path = builder.WriteTo(dir.Path, "idle.pcap");

        var expected = Single(path, ShortTimeouts);
        var order = expected.Select(ClientPort).ToArray();
        ushort[] oneTable = [closed[1], closed[0], probation[0], probation[1], active[1], active[0], late];
        Assert.Equal(oneTable, order);
        Assert.Equal(["closed", "closed", "idle", "idle", "idle", "idle", "end_of_input"], expected.Select(EndReason));
        Assert.Equal(expected, Sharded(path, ShortTimeouts, 2));
        Assert.Equal(expected, Sharded(path, ShortTimeouts, 3));
    }

    [Fact]
    public void TruncatedCapture_ShardsReportThePacketsReadBeforeTheCut_AsOnePipelineDoes()
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(RepoPaths.Pcap("ssh-forward-local.pcap"));
        var path = Path.Combine(dir.Path, "cut.pcap");
        File.WriteAllBytes(path, bytes.AsSpan(0, (bytes.Length * 2 / 3) + 7).ToArray());

        var expected = Single(path, new FlowTableOptions());

        Assert.NotEmpty(expected);
        Assert.Equal(expected, Sharded(path, new FlowTableOptions(), 2));
    }

    [Fact]
    public void PacketsLeftInTheReadersBuffers_ShardsReportWhatOnePipelineReports()
    {
        using var dir = new TempDirectory();

        // Several 1 MiB reader buffers, each handed to a batch when the reader needs room.
        var many = ManyFlows(dir, synCount: 20_000);

        // Bare SYNs only, 70 bytes a record: about 15,000 fit in a 1 MiB buffer, more than a batch's packets
        // (PacketBatch.MaxPackets, 8,192), so a full batch takes the buffer before the reader needs room.
        var builder = new PcapBuilder();
        for (var i = 0; i < 30_000; i++)
        {
            var syn = Frames.Tcp((ushort)(1024 + (i % 60_000)), 22, (uint)i, TcpFlags.Syn, []);
            builder.Add(Frames.Ethernet(Frames.Ipv4($"198.19.{(i >> 8) & 0xFF}.{i & 0xFF}", "198.18.1.2", syn), 0x0800), 1_000_000_000_000L + (i * 10L));
        }

        var syns = builder.WriteTo(dir.Path, "syns.pcap");
        foreach (var path in new[] { many, syns })
        {
            var expected = Single(path, new FlowTableOptions());
            Assert.True(expected.Count > 20_000, $"only {expected.Count} reports");
            Assert.Equal(expected, ShardedInPlace(path, new FlowTableOptions(), 2));
            Assert.Equal(expected, ShardedInPlace(path, new FlowTableOptions(), 3));
        }
    }

    [Fact]
    public void TruncatedCapture_PacketsInTheReadersBuffers_ShardsReportThePacketsReadBeforeTheCut()
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(ManyFlows(dir, synCount: 5_000));
        var path = Path.Combine(dir.Path, "cut.pcap");
        File.WriteAllBytes(path, bytes.AsSpan(0, (bytes.Length * 2 / 3) + 7).ToArray());

        var expected = Single(path, new FlowTableOptions());

        Assert.NotEmpty(expected);
        Assert.Equal(expected, ShardedInPlace(path, new FlowTableOptions(), 2));
    }

    [Fact]
    public void Counters_AndPeakFlowCount_SumOverTheShardsToOnePipelines()
    {
        using var dir = new TempDirectory();
        var path = ManyFlows(dir, synCount: 500);
        var single = new PacketPipeline(new FlowTableOptions(), new ListSink(), reportAllFlows: true);
        var peak = 0;
        ReadAll(path, (in RawPacket packet) =>
        {
            single.Process(packet);
            peak = Math.Max(peak, single.Flows.Count);
        });
        single.Complete();
        using var sharded = new ShardedPipeline(2, new FlowTableOptions(), new ListSink(), reportAllFlows: true);
        ReadAll(path, sharded.Process);
        sharded.Complete();

        Assert.Equal(single.Counters.Packets, sharded.Packets);
        Assert.Equal(single.Flows.FlowsCreated, sharded.FlowsCreated);
        Assert.Equal(single.Flows.FlowsExpired, sharded.FlowsExpired);
        Assert.Equal(0, sharded.FlowsEvicted);
        Assert.Equal(peak, sharded.PeakFlows);
    }

    [Fact]
    public void ShardedTableBound_IsTheBoundSharedOut_NeverBelowTheSmallestAccepted()
    {
        Assert.Equal(131_072, ShardedPipeline.ShardMaxFlows(262_144, 2));
        Assert.Equal(34, ShardedPipeline.ShardMaxFlows(100, 3));
        Assert.Equal(FlowTableOptions.MinMaxFlows, ShardedPipeline.ShardMaxFlows(FlowTableOptions.MinMaxFlows, 2));
    }

    private delegate void PacketHandler(in RawPacket packet);

    private static List<string> Single(string path, FlowTableOptions options)
    {
        var sink = new ListSink();
        var pipeline = new PacketPipeline(options, sink, reportAllFlows: true, "test.pcap");
        ReadAll(path, pipeline.Process);
        pipeline.Complete();
        return [.. sink.Reports.Select(ConnectionJsonWriter.ToJson)];
    }

    private static List<string> Sharded(string path, FlowTableOptions options, int shards)
    {
        var sink = new ListSink();
        using (var pipeline = new ShardedPipeline(shards, options, sink, reportAllFlows: true, "test.pcap"))
        {
            ReadAll(path, pipeline.Process);
            pipeline.Complete();
        }

        return [.. sink.Reports.Select(ConnectionJsonWriter.ToJson)];
    }

    /// <summary>As replay runs a classic pcap: the batches take the reader's buffers, the reader open until the end.</summary>
    private static List<string> ShardedInPlace(string path, FlowTableOptions options, int shards)
    {
        var sink = new ListSink();
        using (var pipeline = new ShardedPipeline(shards, options, sink, reportAllFlows: true, "test.pcap"))
        using (var reader = CaptureFileReader.Open(path))
        {
            pipeline.ReadBuffersOf(reader);
            try
            {
                while (reader.TryRead(out var packet))
                {
                    pipeline.Process(packet);
                }
            }
            catch (CaptureFileException)
            {
                pipeline.Drain();
            }

            pipeline.Complete();
        }

        return [.. sink.Reports.Select(ConnectionJsonWriter.ToJson)];
    }

    /// <summary>Hands every packet to <paramref name="process"/>, up to the end or to where the file is cut short.</summary>
    private static void ReadAll(string path, PacketHandler process)
    {
        try
        {
            using var reader = CaptureFileReader.Open(path);
            while (reader.TryRead(out var packet))
            {
                process(packet);
            }
        }
        catch (CaptureFileException)
        {
        }
    }

    /// <summary>
    /// Every committed Ethernet capture merged in time order, with <paramref name="synCount"/> SYNs of distinct flows
    /// spread over the same minutes: tens of SSH connections at once and thousands of flows that time out.
    /// </summary>
    private static string ManyFlows(TempDirectory dir, int synCount)
    {
        var packets = new List<(long Time, byte[] Frame, int Original)>();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Pcaps, "*.pcap").Order(StringComparer.Ordinal))
        {
            using var reader = CaptureFileReader.Open(file);
            while (reader.TryRead(out var packet))
            {
                if (packet.LinkType == LinkTypes.Ethernet)
                {
                    packets.Add((packet.TimestampMicros, packet.Data.ToArray(), packet.OriginalLength));
                }
            }
        }

        var start = packets.Min(p => p.Time);
        var span = packets.Max(p => p.Time) - start;
        for (var i = 0; i < synCount; i++)
        {
            var source = $"198.19.{(i >> 8) & 0xFF}.{i & 0xFF}";
            var syn = Frames.Tcp((ushort)(1024 + i), 22, (uint)i, TcpFlags.Syn, []);
            packets.Add((start + (span * i / synCount), Frames.Ethernet(Frames.Ipv4(source, "198.18.1.2", syn), 0x0800), 0));
        }

        var builder = new PcapBuilder();
        foreach (var (time, frame, original) in packets.OrderBy(p => p.Time))
        {
            builder.Add(frame, time, original == 0 ? null : original);
        }

        return builder.WriteTo(dir.Path, "many-flows.pcap");
    }

    /// <summary>The first client port from <paramref name="from"/> whose flow to the server is in <paramref name="shard"/>.</summary>
    private static ushort PortIn(int shard, int shards, ushort from)
    {
        for (var port = from; ; port++)
        {
            PacketDecoder.TryDecode(LinkTypes.Ethernet, Packet(port, TcpFlags.Syn, []), out var tcp);
            if (FlowShard.Of(tcp, shards) == shard)
            {
                return port;
            }
        }
    }

    private static byte[] Packet(ushort port, TcpFlags flags, ReadOnlySpan<byte> payload) =>
        Frames.Ethernet(Frames.Ipv4(Client, Server, Frames.Tcp(port, 80, 1000, flags, payload)), 0x0800);

    private static byte[] Reply(ushort port, TcpFlags flags) =>
        Frames.Ethernet(Frames.Ipv4(Server, Client, Frames.Tcp(80, port, 5000, flags, [])), 0x0800);

    private static ushort ClientPort(string json) =>
        (ushort)System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("src_port").GetInt32();

    private static string EndReason(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("flow").GetProperty("end_reason").GetString()!;
}
