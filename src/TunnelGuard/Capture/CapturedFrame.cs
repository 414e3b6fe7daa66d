using System.Buffers;

namespace TunnelGuard.Capture;

/// <summary>
/// A frame copied out of the capture callback into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, to cross the
/// queue between the capture thread and the analysis thread. Whoever takes it from the queue returns the buffer with
/// <see cref="Return"/>; a frame dropped by a full queue is returned by the queue's drop callback.
/// </summary>
public readonly record struct CapturedFrame(byte[] Buffer, int Length, int OriginalLength, int LinkType, long TimestampMicros)
{
    public RawPacket AsRawPacket() => new(LinkType, TimestampMicros, Buffer.AsSpan(0, Length), OriginalLength);

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
