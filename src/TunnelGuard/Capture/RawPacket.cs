namespace TunnelGuard.Capture;

/// <summary>
/// One captured frame as a packet source hands it over. <see cref="Data"/> points into the source's own buffer and is
/// valid only until the source reads the next packet: copy out what must outlive the call.
/// </summary>
public readonly ref struct RawPacket
{
    public RawPacket(int linkType, long timestampMicros, ReadOnlySpan<byte> data, int originalLength)
    {
        LinkType = linkType;
        TimestampMicros = timestampMicros;
        Data = data;
        OriginalLength = originalLength;
    }

    public int LinkType { get; }

    /// <summary>Packet time in microseconds since the Unix epoch; the only clock inside the pipeline.</summary>
    public long TimestampMicros { get; }

    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The frame's length on the wire, which may exceed <see cref="Data"/> when the capture was truncated (snaplen).</summary>
    public int OriginalLength { get; }
}
