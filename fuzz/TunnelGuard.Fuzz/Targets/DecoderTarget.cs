using TunnelGuard.Capture;
using TunnelGuard.Decoding;

namespace TunnelGuard.Fuzz.Targets;

/// <summary>
/// <see cref="PacketDecoder.TryDecode"/> over one frame. Input: one byte choosing the link type, then the frame.
/// A decoded packet must describe a payload that lies inside the frame, because the pipeline slices it.
/// </summary>
internal sealed class DecoderTarget : IFuzzTarget
{
    public static readonly int[] LinkTypeChoices =
    [
        LinkTypes.Ethernet, LinkTypes.LinuxSll, LinkTypes.LinuxSll2, LinkTypes.Raw, LinkTypes.Ipv4, LinkTypes.Ipv6,
        LinkTypes.Null, LinkTypes.Loop, LinkTypes.RawAlt12, LinkTypes.RawAlt14,
    ];

    public string Name => "decoder";

    public static byte LinkTypeIndex(int linkType) => (byte)Math.Max(0, Array.IndexOf(LinkTypeChoices, linkType));

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var frame = input[1..];
        var result = PacketDecoder.TryDecode(LinkTypeChoices[input[0] % LinkTypeChoices.Length], frame, out var tcp);
        if (result == DecodeResult.Tcp)
        {
            Check(tcp, frame.Length);
        }
    }

    public static void Check(in TcpPacket tcp, int frameLength)
    {
        InvariantViolation.Check(tcp.PayloadOffset >= 0 && tcp.PayloadOffset <= frameLength, $"payload offset {tcp.PayloadOffset} outside a {frameLength}-byte frame");
        InvariantViolation.Check(tcp.CapturedPayloadLength >= 0 && tcp.PayloadOffset + tcp.CapturedPayloadLength <= frameLength, $"captured payload {tcp.PayloadOffset}+{tcp.CapturedPayloadLength} past a {frameLength}-byte frame");
        InvariantViolation.Check(tcp.PayloadLength >= tcp.CapturedPayloadLength, $"captured payload {tcp.CapturedPayloadLength} longer than the IP-declared {tcp.PayloadLength}");
        InvariantViolation.Check(tcp.IpVersion is 4 or 6, $"IP version {tcp.IpVersion}");
    }
}
