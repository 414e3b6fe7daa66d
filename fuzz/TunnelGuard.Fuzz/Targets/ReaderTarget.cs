using TunnelGuard.Capture;

namespace TunnelGuard.Fuzz.Targets;

/// <summary>
/// <see cref="CaptureFileReader"/> over a whole pcap or pcapng file held in memory. <see cref="CaptureFileException"/>
/// is the reader's one way to refuse a file; any other exception is a finding.
/// </summary>
internal sealed class ReaderTarget : IFuzzTarget
{
    public string Name => "reader";

    public void Run(ReadOnlySpan<byte> input)
    {
        using var stream = new MemoryStream(input.ToArray(), writable: false);
        try
        {
            using var reader = CaptureFileReader.FromStream(stream, "fuzz");
            var packets = 0;
            var lastPosition = -1L;
            while (reader.TryRead(out var packet))
            {
                packets++;
                InvariantViolation.Check(packet.Data.Length <= input.Length, $"packet {packets} has {packet.Data.Length} bytes from a {input.Length}-byte file");
                InvariantViolation.Check(packet.OriginalLength >= 0, $"packet {packets} has original length {packet.OriginalLength}");
                InvariantViolation.Check(reader.Position > lastPosition, $"packet {packets} did not move the reader past {lastPosition}");
                lastPosition = reader.Position;
            }
        }
        catch (CaptureFileException)
        {
            // The documented refusal.
        }
    }
}
