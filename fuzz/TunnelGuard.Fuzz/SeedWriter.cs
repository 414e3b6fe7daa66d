using System.Buffers.Binary;
using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Fuzz.Targets;

namespace TunnelGuard.Fuzz;

/// <summary>
/// Turns capture files into a seed corpus per target: whole files (and their first 4 KiB) for the reader, single
/// frames for the decoder, each direction's segments for reassembly, each direction's stream prefix for the SSH
/// parser, and the first packets of each file for the pipeline; rule files and the <c>```yaml</c> blocks of Markdown
/// files for the rules parser.
/// </summary>
internal static class SeedWriter
{
    private const int MaxFramesPerFile = 24;
    private const int MaxPipelinePackets = 48;
    private const int MaxPrefix = 4096;
    private const int MaxReassemblySegments = 24;

    public static int Write(string captureDir, string outDir, IReadOnlyList<string> ruleSources)
    {
        var written = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var source in ruleSources)
        {
            RuleSeeds(source, outDir, written);
        }

        foreach (var file in Directory.EnumerateFiles(captureDir).Order(StringComparer.Ordinal))
        {
            if (!file.EndsWith(".pcap", StringComparison.Ordinal) && !file.EndsWith(".pcapng", StringComparison.Ordinal))
            {
                continue;
            }

            var name = Path.GetFileNameWithoutExtension(file);
            var bytes = File.ReadAllBytes(file);
            Save(outDir, "reader", name, bytes, written);
            Save(outDir, "reader", name + "-head", bytes.AsSpan(0, Math.Min(bytes.Length, 4096)).ToArray(), written);
            FromPackets(file, name, outDir, written);
        }

        foreach (var (target, count) in written.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"{target}: {count} seeds");
        }

        return 0;
    }

    private static void FromPackets(string file, string name, string outDir, Dictionary<string, int> written)
    {
        var frames = 0;
        var pipeline = new MemoryStream();
        var pipelinePackets = 0;
        var lastTime = 0L;
        var directions = new Dictionary<(IpAddress, ushort, IpAddress, ushort), (MemoryStream Segments, int Count, StreamPrefix Prefix)>();
        var seenFrames = new HashSet<string>(StringComparer.Ordinal);

        Span<byte> pipelineHeader = stackalloc byte[PipelineTarget.HeaderLength];
        Span<byte> segmentHeader = stackalloc byte[ReassemblyTarget.HeaderLength];
        using var reader = CaptureFileReader.Open(file);
        while (reader.TryRead(out var raw))
        {
            var frame = raw.Data;
            if (pipelinePackets < MaxPipelinePackets && frame.Length <= ushort.MaxValue)
            {
                var step = lastTime == 0 ? 0 : Math.Clamp((raw.TimestampMicros - lastTime) / PipelineTarget.MicrosPerStep, short.MinValue, short.MaxValue);
                lastTime = raw.TimestampMicros;
                var header = pipelineHeader;
                header[0] = DecoderTarget.LinkTypeIndex(raw.LinkType);
                BinaryPrimitives.WriteInt16LittleEndian(header[1..], (short)step);
                BinaryPrimitives.WriteUInt16LittleEndian(header[3..], (ushort)frame.Length);
                pipeline.Write(header);
                pipeline.Write(frame);
                pipelinePackets++;
            }

            if (PacketDecoder.TryDecode(raw.LinkType, frame, out var tcp) != DecodeResult.Tcp)
            {
                continue;
            }

            // Decoder seeds: one frame of each kind (by header bytes and size class), cut to 512 bytes.
            var cut = frame[..Math.Min(frame.Length, 512)];
            if (frames < MaxFramesPerFile && seenFrames.Add($"{tcp.Flags}:{tcp.CapturedPayloadLength > 0}:{cut.Length / 128}"))
            {
                var seed = new byte[cut.Length + 1];
                seed[0] = DecoderTarget.LinkTypeIndex(raw.LinkType);
                cut.CopyTo(seed.AsSpan(1));
                Save(outDir, "decoder", $"{name}-{frames++}", seed, written);
            }

            var key = (tcp.Source, tcp.SourcePort, tcp.Destination, tcp.DestinationPort);
            if (!directions.TryGetValue(key, out var direction))
            {
                var segments = new MemoryStream();
                segments.WriteByte(2); // cap selector: 4 KiB
                direction = (segments, 0, new StreamPrefix(MaxPrefix));
            }

            var payload = frame.Slice(tcp.PayloadOffset, tcp.CapturedPayloadLength);
            var syn = tcp.Has(TcpFlags.Syn);
            if (syn)
            {
                direction.Prefix.OnSyn(tcp.Sequence);
            }

            var sequence = syn ? tcp.Sequence + 1 : tcp.Sequence;
            direction.Prefix.Add(sequence, payload);
            if (direction.Count < MaxReassemblySegments && (syn || !payload.IsEmpty))
            {
                var header = segmentHeader;
                header[0] = (byte)(syn ? 1 : 0);
                BinaryPrimitives.WriteUInt32LittleEndian(header[1..], syn ? tcp.Sequence : sequence);
                var piece = payload[..Math.Min(payload.Length, 2048)];
                BinaryPrimitives.WriteUInt16LittleEndian(header[5..], (ushort)piece.Length);
                direction.Segments.Write(header);
                direction.Segments.Write(piece);
                direction.Count++;
            }

            directions[key] = direction;
        }

        Save(outDir, "pipeline", name, pipeline.ToArray(), written);
        var index = 0;
        foreach (var (_, direction) in directions)
        {
            if (direction.Count > 1)
            {
                Save(outDir, "reassembly", $"{name}-{index}", direction.Segments.ToArray(), written);
            }

            var stream = direction.Prefix.Contiguous;
            if (!stream.IsEmpty)
            {
                // Whole prefix at once, and the same grown 33 bytes at a time as small segments would.
                Save(outDir, "ssh", $"{name}-{index}-whole", [SshParserTarget.Control(MaxPrefix, full: true), .. stream], written);
                Save(outDir, "ssh", $"{name}-{index}-steps", [SshParserTarget.Control(33, full: false), .. stream], written);
            }

            direction.Prefix.Release();
            index++;
        }
    }

    private static void RuleSeeds(string source, string outDir, Dictionary<string, int> written)
    {
        IEnumerable<string> files = Directory.Exists(source)
            ? Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [source];
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal))
            {
                Save(outDir, "rules", name, File.ReadAllBytes(file), written);
            }
            else if (file.EndsWith(".md", StringComparison.Ordinal))
            {
                var blocks = File.ReadAllText(file).Split("```yaml\n");
                for (var i = 1; i < blocks.Length; i++)
                {
                    var end = blocks[i].IndexOf("```", StringComparison.Ordinal);
                    Save(outDir, "rules", $"{name}-{i}", System.Text.Encoding.UTF8.GetBytes(end < 0 ? blocks[i] : blocks[i][..end]), written);
                }
            }
        }
    }

    private static void Save(string outDir, string target, string name, byte[] bytes, Dictionary<string, int> written)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        var dir = Path.Combine(outDir, target);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, name), bytes);
        written[target] = written.GetValueOrDefault(target) + 1;
    }
}
