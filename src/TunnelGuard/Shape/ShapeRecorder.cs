using System.Buffers;

namespace TunnelGuard.Shape;

/// <summary>
/// The encrypted part of one SSH connection as the classifier sees it: for each data segment its packet time, its
/// size and which flow direction sent it, kept in order up to <see cref="MaxEvents"/>; after that only totals grow.
/// Retransmitted segments are left out. One recorder per SSH connection, so its arrays are per connection, not per
/// packet.
/// </summary>
/// <remarks>
/// The event arrays are rented from the shared array pools when the first segment arrives and returned by
/// <see cref="Release"/> when the connection has been judged for the last time (a replay starts thousands of
/// connections; fresh arrays for each were a third of all it allocated).
/// </remarks>
public sealed class ShapeRecorder
{
    /// <summary>Events kept per connection: minutes of interactive use, or the first seconds of a bulk transfer.</summary>
    public const int MaxEvents = 16_384;

    private const int InitialEvents = 32;

    private long[] _times = [];
    private int[] _sizes = [];
    private byte[] _directions = [];
    private int[] _quiet = [];
    private long _lastPacketMicros = -1;

    /// <summary>Packet time of the first encrypted segment.</summary>
    public long StartMicros { get; private set; } = -1;

    public int Count { get; private set; }

    public long TotalSegments { get; private set; }

    /// <summary>Segments with no payload, per flow direction: the receiving side of a stream sends them.</summary>
    public long BareAcks0 { get; private set; }

    public long BareAcks1 { get; private set; }

    public ReadOnlySpan<long> Times => _times.AsSpan(0, Count);

    public ReadOnlySpan<int> Sizes => _sizes.AsSpan(0, Count);

    /// <summary>Flow direction of each event: 0 from the TCP initiator.</summary>
    public ReadOnlySpan<byte> Directions => _directions.AsSpan(0, Count);

    /// <summary>
    /// Microseconds each event came after the connection's previous packet of any kind, bare ACKs included (0 for the
    /// first). A segment that a sender held back until the peer's ACK (Nagle's algorithm against a 40 ms delayed ACK)
    /// follows that ACK within microseconds, though the data before it may be 40-50 ms older: it ends no silence.
    /// </summary>
    public ReadOnlySpan<int> Quiet => _quiet.AsSpan(0, Count);

    public void OnSegment(long micros, int direction, int size)
    {
        if (StartMicros < 0)
        {
            StartMicros = micros;
        }

        var quiet = _lastPacketMicros < 0 ? 0 : (int)Math.Clamp(micros - _lastPacketMicros, 0, int.MaxValue);
        _lastPacketMicros = micros;

        TotalSegments++;
        if (Count == MaxEvents)
        {
            return;
        }

        if (Count == _times.Length)
        {
            var grown = Math.Min(MaxEvents, Math.Max(InitialEvents, Count * 2));
            Grow(ref _times, grown);
            Grow(ref _sizes, grown);
            Grow(ref _directions, grown);
            Grow(ref _quiet, grown);
        }

        _times[Count] = micros;
        _sizes[Count] = size;
        _directions[Count] = (byte)direction;
        _quiet[Count] = quiet;
        Count++;
    }

    /// <summary>Returns the event arrays to the pool; the recorder is empty afterwards and must not be used again.</summary>
    public void Release()
    {
        Return(ref _times);
        Return(ref _sizes);
        Return(ref _directions);
        Return(ref _quiet);
        Count = 0;
    }

    private void Grow<T>(ref T[] array, int length)
    {
        var grown = ArrayPool<T>.Shared.Rent(length);
        array.AsSpan(0, Count).CopyTo(grown);
        Return(ref array);
        array = grown;
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
            array = [];
        }
    }

    public void OnBareAck(int direction, long micros)
    {
        _lastPacketMicros = micros;
        if (StartMicros < 0)
        {
            return;
        }

        if (direction == 0)
        {
            BareAcks0++;
        }
        else
        {
            BareAcks1++;
        }
    }
}
