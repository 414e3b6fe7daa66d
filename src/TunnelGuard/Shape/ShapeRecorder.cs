using System.Numerics;
using System.Runtime.InteropServices;
using TunnelGuard.Flows;

namespace TunnelGuard.Shape;

/// <summary>
/// The encrypted part of one SSH connection as the classifier sees it: for each data segment its packet time, its
/// size and which flow direction sent it, kept in order up to <see cref="MaxEvents"/>; after that only totals grow.
/// Retransmitted segments are left out. One recorder per SSH connection, so its arrays are per connection, not per
/// packet.
/// </summary>
/// <remarks>
/// The events live in one buffer (times, then sizes, quiet times and directions), made when the first segment arrives
/// and given back by <see cref="Release"/> when the connection has been judged for the last time: to the pipeline's
/// free buffers when there are any, which hand it to a later connection (a replay starts thousands of
/// connections; fresh arrays for each were a third of all it allocated). It starts at 24 events, a short connection's
/// whole encrypted part (a failed login, a command: about 20 segments), and doubles.
/// </remarks>
public sealed class ShapeRecorder
{
    /// <summary>Events kept per connection: minutes of interactive use, or the first seconds of a bulk transfer.</summary>
    public const int MaxEvents = 16_384;

    /// <summary>Capacities (events) are this times a power of two, up to <see cref="MaxEvents"/>; one size class each.</summary>
    public const int InitialEvents = 24;

    /// <summary>Size classes of the event buffers worth keeping for reuse: up to 24 × 2^10 events, beyond <see cref="MaxEvents"/>.</summary>
    public const int BufferClasses = 11;

    private readonly FreeBuffers<long>? _buffers;

    // Times (Capacity longs), sizes and quiet times (Capacity ints each), directions (Capacity bytes); Capacity is a
    // multiple of 8, so every part starts on a long.
    private long[] _buffer = [];
    private int _capacity;
    private long _lastPacketMicros = -1;

    /// <param name="buffers">Where the event buffer comes from and goes back to; without one it is allocated and left to the GC.</param>
    public ShapeRecorder(FreeBuffers<long>? buffers = null)
    {
        _buffers = buffers;
    }

    /// <summary>Packet time of the first encrypted segment.</summary>
    public long StartMicros { get; private set; } = -1;

    public int Count { get; private set; }

    public long TotalSegments { get; private set; }

    /// <summary>Segments with no payload, per flow direction: the receiving side of a stream sends them.</summary>
    public long BareAcks0 { get; private set; }

    public long BareAcks1 { get; private set; }

    public ReadOnlySpan<long> Times => TimesOf(_buffer, _capacity)[..Count];

    public ReadOnlySpan<int> Sizes => SizesOf(_buffer, _capacity)[..Count];

    /// <summary>Flow direction of each event: 0 from the TCP initiator.</summary>
    public ReadOnlySpan<byte> Directions => DirectionsOf(_buffer, _capacity)[..Count];

    /// <summary>
    /// Microseconds each event came after the connection's previous packet of any kind, bare ACKs included (0 for the
    /// first). A segment that a sender held back until the peer's ACK (Nagle's algorithm against a 40 ms delayed ACK)
    /// follows that ACK within microseconds, though the data before it may be 40-50 ms older: it ends no silence.
    /// </summary>
    public ReadOnlySpan<int> Quiet => QuietOf(_buffer, _capacity)[..Count];

    /// <summary>Longs in the buffer of a recorder that holds up to <paramref name="capacity"/> events (a multiple of 8).</summary>
    public static int BufferLength(int capacity) => (2 * capacity) + (capacity / 8);

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

        if (Count == _capacity)
        {
            Grow(Math.Min(MaxEvents, Math.Max(InitialEvents, Count * 2)));
        }

        TimesOf(_buffer, _capacity)[Count] = micros;
        SizesOf(_buffer, _capacity)[Count] = size;
        DirectionsOf(_buffer, _capacity)[Count] = (byte)direction;
        QuietOf(_buffer, _capacity)[Count] = quiet;
        Count++;
    }

    /// <summary>Gives the event buffer back; the recorder is empty afterwards and must not be used again.</summary>
    public void Release()
    {
        Return();
        Count = 0;
    }

    private void Grow(int capacity)
    {
        var grown = _buffers is not null && _buffers.TryTake(SizeClassOf(capacity), out var free)
            ? free
            : GC.AllocateUninitializedArray<long>(BufferLength(capacity));
        TimesOf(_buffer, _capacity)[..Count].CopyTo(TimesOf(grown, capacity));
        SizesOf(_buffer, _capacity)[..Count].CopyTo(SizesOf(grown, capacity));
        DirectionsOf(_buffer, _capacity)[..Count].CopyTo(DirectionsOf(grown, capacity));
        QuietOf(_buffer, _capacity)[..Count].CopyTo(QuietOf(grown, capacity));
        Return();
        _buffer = grown;
        _capacity = capacity;
    }

    private void Return()
    {
        if (_capacity > 0)
        {
            _buffers?.Give(_buffer, SizeClassOf(_capacity));
            _buffer = [];
            _capacity = 0;
        }
    }

    // -1 (kept by no class) for MaxEvents, which is no 24 × 2^k.
    private static int SizeClassOf(int capacity) =>
        capacity % InitialEvents == 0 && BitOperations.IsPow2(capacity / InitialEvents) ? BitOperations.Log2((uint)(capacity / InitialEvents)) : -1;

    private static Span<long> TimesOf(long[] buffer, int capacity) => buffer.AsSpan(0, capacity);

    private static Span<int> SizesOf(long[] buffer, int capacity) => MemoryMarshal.Cast<long, int>(buffer.AsSpan(capacity, capacity / 2));

    private static Span<int> QuietOf(long[] buffer, int capacity) => MemoryMarshal.Cast<long, int>(buffer.AsSpan(capacity + (capacity / 2), capacity / 2));

    private static Span<byte> DirectionsOf(long[] buffer, int capacity) => MemoryMarshal.AsBytes(buffer.AsSpan(2 * capacity, capacity / 8));

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
