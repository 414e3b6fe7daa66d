using System.Runtime.InteropServices;

namespace TunnelGuard.Capture;

/// <summary>
/// Frames that one capture thread took from libpcap's ring in a row, copied back to back into one buffer so that they
/// cross the queue to the analysis thread as one item: one queue operation and no allocation per packet.
/// </summary>
/// <remarks>
/// Ownership: <see cref="LiveCapture"/> owns a pool of batches. A capture thread takes one, fills it and writes it to
/// the queue; from then on the reader owns it and gives it back with <see cref="LiveCapture.Return"/> once every
/// packet was processed. A batch that the full queue refuses goes back to the pool from the queue's drop callback.
/// The buffers are allocated once, when the batch is made, and reused for the life of the capture.
/// </remarks>
public sealed class CapturedBatch
{
    private readonly byte[] _data;
    private readonly Slot[] _slots;
    private int _used;

    internal CapturedBatch(int bytes, int frames)
    {
        _data = new byte[bytes];
        _slots = new Slot[frames];
    }

    /// <summary>Frames in this batch.</summary>
    public int Count { get; private set; }

    internal bool IsFull => Count == _slots.Length;

    /// <summary>The frame at <paramref name="index"/>; its span is valid until the batch is returned.</summary>
    public RawPacket Packet(int index)
    {
        var slot = _slots[index];
        return new RawPacket(slot.LinkType, slot.TimestampMicros, _data.AsSpan(slot.Offset, slot.Length), slot.OriginalLength);
    }

    /// <summary>Copies a frame that libpcap handed over as pointers; false when the buffer has no room for it.</summary>
    internal bool TryAdd(nint data, int length, int originalLength, int linkType, long timestampMicros)
    {
        if (Count == _slots.Length || _data.Length - _used < length)
        {
            return false;
        }

        Marshal.Copy(data, _data, _used, length);
        _slots[Count++] = new Slot(_used, length, Math.Max(length, originalLength), linkType, timestampMicros);
        _used += length;
        return true;
    }

    internal void Clear()
    {
        Count = 0;
        _used = 0;
    }

    private readonly record struct Slot(int Offset, int Length, int OriginalLength, int LinkType, long TimestampMicros);
}
