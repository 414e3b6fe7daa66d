using System.Buffers.Binary;
using TunnelGuard.Capture;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Fuzz.Targets;

/// <summary>
/// The whole per-packet path (<see cref="PacketPipeline"/>: decoder, flow table, reassembly, SSH parser, shape and
/// classifier) over a list of frames, then <see cref="PacketPipeline.Complete"/>. Input: records of
/// [link type index:1][time step:2 LE signed, × 10 ms][length:2 LE][frame]. Small table and timeouts so that eviction,
/// expiry and the prefix cap are reachable with short inputs.
/// </summary>
internal sealed class PipelineTarget : IFuzzTarget
{
    public const int HeaderLength = 5;
    public const long MicrosPerStep = 10_000;
    public const int MaxFlows = 16;

    public string Name => "pipeline";

    public static FlowTableOptions Options() => new()
    {
        MaxFlows = MaxFlows,
        IdleTimeout = TimeSpan.FromSeconds(60),
        ProbationTimeout = TimeSpan.FromSeconds(5),
        ClosedLinger = TimeSpan.FromSeconds(1),
        StreamPrefixBytes = 4096,
    };

    public void Run(ReadOnlySpan<byte> input)
    {
        var sink = new CountingSink();
        var pipeline = new PacketPipeline(Options(), sink, reportAllFlows: true, source: "fuzz");
        var now = 1_700_000_000_000_000L;
        var rest = input;
        var packets = 0;
        while (rest.Length >= HeaderLength)
        {
            var linkType = DecoderTarget.LinkTypeChoices[rest[0] % DecoderTarget.LinkTypeChoices.Length];
            now += BinaryPrimitives.ReadInt16LittleEndian(rest[1..]) * MicrosPerStep;
            var length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(rest[3..]), rest.Length - HeaderLength);
            var frame = rest.Slice(HeaderLength, length);
            rest = rest[(HeaderLength + length)..];

            pipeline.Process(new RawPacket(linkType, now, frame, frame.Length));
            packets++;
            InvariantViolation.Check(pipeline.Flows.Count <= MaxFlows, $"{pipeline.Flows.Count} flows in a table bounded at {MaxFlows}");
        }

        pipeline.Complete();
        InvariantViolation.Check(pipeline.Flows.Count == 0, $"{pipeline.Flows.Count} flows left after Complete");
        InvariantViolation.Check(sink.Reports <= pipeline.Flows.FlowsCreated, $"{sink.Reports} reports for {pipeline.Flows.FlowsCreated} flows");
        InvariantViolation.Check(pipeline.Counters.Packets == packets, "packet counter differs from packets processed");
    }

    private sealed class CountingSink : IConnectionSink
    {
        public long Reports { get; private set; }

        public void OnConnection(ConnectionReport report)
        {
            // Touch what a real sink would render, so lazy parts of the report run too.
            _ = report.ToString();
            Reports++;
        }
    }
}
