using System.Buffers.Binary;
using System.Text.Json;
using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Replay;

/// <summary>
/// Issue 7, "Malformed input", the cases that had no test at the reader or pipeline level: each ends in a clear message
/// or a finding, never an escaping exception, and within bounded memory. (Truncated files, wrong magic, IP header
/// length lies, oversized or NUL identification lines and lying KEXINIT lengths are in ReplayCommandTests,
/// PacketDecoderTests, SshDirectionParserTests and the Fuzzing regressions.)
/// </summary>
public sealed class MalformedInputTests
{
    private const string Client = "198.18.0.1";
    private const string Server = "198.18.0.2";

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(uint.MaxValue)]
    public void AbsurdSnaplenInTheFileHeader_IsIgnored_TheSshConnectionIsStillReported(uint snaplen)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(RepoPaths.Pcap("ssh-exec-chacha20.pcap"));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), snaplen);
        var file = Path.Combine(dir.Path, "snaplen.pcap");
        File.WriteAllBytes(file, bytes);

        var run = CliRun.Of("replay", file);

        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(Assert.Single(run.OutLines));
        Assert.Equal("472b5de333ad665af5cbf10ff892c4df", doc.RootElement.GetProperty("ssh").GetProperty("client").GetProperty("hassh").GetString());
    }

    [Fact]
    public void RecordClaimingTwoGigabytes_ExitsThree_NamingTheRecord_WithoutAllocatingIt()
    {
        using var dir = new TempDirectory();
        var builder = new PcapBuilder(linkType: 101);
        builder.Add(Frames.Ipv4(Client, Server, Frames.Tcp(40000, 22, 1, TcpFlags.Syn, [])), 1_000_000);
        builder.Add(new byte[64], 1_000_100, originalLength: int.MaxValue, capturedLength: int.MaxValue);
        var file = builder.WriteTo(dir.Path, "huge.pcap");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = Assert.Throws<CaptureFileException>(() =>
        {
            using var reader = CaptureFileReader.Open(file);
            while (reader.TryRead(out _))
            {
            }
        }).Message;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var run = CliRun.Of("replay", file);

        Assert.Contains("claims 2147483647 captured bytes", message, StringComparison.Ordinal);
        Assert.True(allocated < 4 << 20, $"reading the file allocated {allocated:N0} bytes");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"{file}: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("claims 2147483647 captured bytes", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroLengthAndOversizeFrames_AreCountedAsMalformed_TheSshConnectionAroundThemIsStillReported()
    {
        var oversize = new byte[200_000]; // under the reader's 256 KiB record limit, far over any MTU: a garbage GRO frame
        new Random(7).NextBytes(oversize);
        oversize[12] = 0x08; // EtherType IPv4 with a garbage IPv4 header: version nibble 4, header length nibble 0
        oversize[13] = 0x00;
        oversize[14] = 0x40;
        var (pipeline, sink) = ReplayWithExtraFrames(([], 0), (oversize, 7), ([0x45], 3));

        Assert.Equal(3, pipeline.Counters.Malformed);
        var ssh = Assert.Single(sink.Reports);
        Assert.Equal("472b5de333ad665af5cbf10ff892c4df", ssh.SshClient?.Hassh);
        Assert.Equal("exec", ssh.Verdict.Label);
    }

    [Fact]
    public void TcpOptionsGarbage_IsSkippedByTheDataOffset_TheBannerAfterItIsRead()
    {
        // Option kinds 0xFF, lengths 0, 1 and 255 that run past the header: the engine never parses options, it only
        // uses the data offset, so garbage in them cannot move the payload.
        byte[] garbage = [0xFF, 0x00, 0x02, 0x01, 0x08, 0xFF, 0x1E, 0xFF, 0x00, 0x00, 0xFE, 0x01, 0x03, 0xFF, 0xFF, 0xFF, 0x05, 0x00, 0x13, 0x63];
        var sink = new ListSink();
        var pipeline = new PacketPipeline(new FlowTableOptions(), sink);
        var t = 1_000_000L;
        foreach (var (from, fromPort, to, toPort, seq, flags, payload) in Handshake("SSH-2.0-OptionsGarbage\r\n", "SSH-2.0-Server\r\n"))
        {
            var tcp = Frames.Tcp(fromPort, toPort, seq, flags, payload, optionBytes: garbage.Length);
            garbage.CopyTo(tcp, 20);
            pipeline.Process(new RawPacket(LinkTypes.Raw, t += 100, Frames.Ipv4(from, to, tcp), 0));
        }

        pipeline.Complete();

        Assert.Equal(0, pipeline.Counters.Malformed);
        var report = Assert.Single(sink.Reports);
        Assert.Equal("OptionsGarbage", report.SshClient?.SoftwareVersion);
        Assert.Equal("Server", report.SshServer?.SoftwareVersion);
    }

    [Fact]
    public void PreBannerOf100000Lines_IsReadOnlyUpToThePrefixCap_AndIsAFinding_InBoundedMemory()
    {
        // RFC 4253 §4.2 lets a server send lines before its identification; 10^5 of them (300 KB) must not be buffered.
        var lines = SshBytes.Ascii(string.Concat(Enumerable.Repeat("x\r\n", 100_000)) + "SSH-2.0-Late\r\n");
        var frames = new List<byte[]>();
        foreach (var (from, fromPort, to, toPort, seq, flags, payload) in Handshake("SSH-2.0-Client\r\n", null))
        {
            frames.Add(Frames.Ipv4(from, to, Frames.Tcp(fromPort, toPort, seq, flags, payload)));
        }

        for (var offset = 0; offset < lines.Length; offset += 1448)
        {
            var segment = lines.AsSpan(offset, Math.Min(1448, lines.Length - offset));
            frames.Add(Frames.Ipv4(Server, Client, Frames.Tcp(22, 40000, 5001 + (uint)offset, TcpFlags.Ack | TcpFlags.Psh, segment)));
        }

        var sink = new ListSink();
        var pipeline = new PacketPipeline(new FlowTableOptions(), sink, reportAllFlows: true);
        var t = 1_000_000L;
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var frame in frames)
        {
            pipeline.Process(new RawPacket(LinkTypes.Raw, t += 100, frame, 0));
        }

        pipeline.Complete();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var report = Assert.Single(sink.Reports);
        Assert.True(allocated < 2 << 20, $"the pipeline allocated {allocated:N0} bytes for a 300 KB pre-banner");
        Assert.Equal("Client", report.SshClient?.SoftwareVersion);
        Assert.Null(report.SshServer?.SoftwareVersion);
        Assert.True(report.SshServer?.PreBannerLines > 20_000, $"pre-banner lines counted: {report.SshServer?.PreBannerLines}");
        Assert.NotEmpty(report.Problems);
    }

    /// <summary>Client banner, then (if given) the server's: SYN, SYN-ACK, ACK and one data segment each way.</summary>
    private static IEnumerable<(string From, ushort FromPort, string To, ushort ToPort, uint Seq, TcpFlags Flags, byte[] Payload)> Handshake(string clientBanner, string? serverBanner)
    {
        yield return (Client, 40000, Server, 22, 1000, TcpFlags.Syn, []);
        yield return (Server, 22, Client, 40000, 5000, TcpFlags.Syn | TcpFlags.Ack, []);
        yield return (Client, 40000, Server, 22, 1001, TcpFlags.Ack, []);
        yield return (Client, 40000, Server, 22, 1001, TcpFlags.Ack | TcpFlags.Psh, SshBytes.Ascii(clientBanner));
        if (serverBanner is not null)
        {
            yield return (Server, 22, Client, 40000, 5001, TcpFlags.Ack | TcpFlags.Psh, SshBytes.Ascii(serverBanner));
        }
    }

    /// <summary>Replays the exec capture with each extra frame inserted before the packet at its index.</summary>
    private static (PacketPipeline Pipeline, ListSink Sink) ReplayWithExtraFrames(params (byte[] Frame, int Before)[] extras)
    {
        var sink = new ListSink();
        var pipeline = new PacketPipeline(new FlowTableOptions(), sink);
        using (var reader = CaptureFileReader.Open(RepoPaths.Pcap("ssh-exec-chacha20.pcap")))
        {
            var index = 0;
            while (reader.TryRead(out var packet))
            {
                foreach (var (frame, before) in extras)
                {
                    if (before == index)
                    {
                        pipeline.Process(new RawPacket(packet.LinkType, packet.TimestampMicros, frame, frame.Length));
                    }
                }

                pipeline.Process(packet);
                index++;
            }
        }

        pipeline.Complete();
        return (pipeline, sink);
    }
}
