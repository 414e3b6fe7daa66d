using System.Buffers;
using TunnelGuard.Capture;
using TunnelGuard.Decoding;

namespace TunnelGuard.Pipeline;

/// <summary>
/// A run of packets back to back in one pooled buffer (copied in, or read there by a capture reader whose buffer the
/// batch then adopts), each decoded once and assigned to its shard, handed to
/// every shard of a <see cref="ShardedPipeline"/> as one item, with room for what each shard gives back: its reports
/// and its table size after each packet.
/// </summary>
/// <remarks>
/// Ownership: the <see cref="ShardedPipeline"/> that rents the buffers fills a batch on the caller's thread, then every
/// shard reads it (read-only) and writes only its own result slots; the last shard to finish signals, the pipeline
/// merges the results on the caller's thread and reuses the batch. A batch that adopts a reader's buffer gives the reader
/// its own in exchange, so the number of buffers stays the same and each is returned once. <see cref="Dispose"/> returns
/// the buffers to the pools once no shard holds the batch.
/// </remarks>
internal sealed class PacketBatch : IDisposable
{
    // 1 MiB of frames (about 1,800 of the ~590-byte average of the benchmark mix) per hand-over: few enough batches that
    // handing them over costs nothing next to the packets, small enough that four in flight stay in the caches' reach.
    public const int DataBytes = 1024 * 1024;

    public const int MaxPackets = 8192;

    private const int InitialPackets = 256;

    private readonly int[][] _flowCounts;
    // Set by the last shard; the caller blocks on it without spinning (see PipelineShard's queue).
    private readonly ManualResetEventSlim _done = new(initialState: false, spinCount: 1);
    private byte[] _data = ArrayPool<byte>.Shared.Rent(DataBytes);
    // Two arrays: a shard skips another shard's packet by its slot alone (shard, result, time: 32 bytes), and only the
    // owner reads the decoded packet.
    // Plain arrays, grown as the batch first fills and kept for its life: ArrayPool<T> over these structs is generic code
    // that nothing precompiles, ~20 methods compiled at every start; and a small file never needs the full size.
    private Slot[] _slots = new Slot[InitialPackets];
    private TcpPacket[] _tcp = new TcpPacket[InitialPackets];
    private int _used;
    private int _pending;

    public PacketBatch(int shards)
    {
        _flowCounts = new int[shards][];
        Reports = new ShardReports[shards];
        for (var i = 0; i < shards; i++)
        {
            _flowCounts[i] = ArrayPool<int>.Shared.Rent(MaxPackets);
            Reports[i] = new ShardReports();
        }
    }

    /// <summary>Index in the input of the first packet.</summary>
    public long FirstIndex { get; private set; }

    public int Count { get; private set; }

    /// <summary>No packets: the end of input, at which each shard flushes its table.</summary>
    public bool IsFlush { get; set; }

    /// <summary>Each shard's reports, in the order it made them (which is <see cref="ReportOrder"/> order).</summary>
    public ShardReports[] Reports { get; }

    /// <summary>Shard <paramref name="shard"/>'s flow count after each packet.</summary>
    public Span<int> FlowCounts(int shard) => _flowCounts[shard].AsSpan(0, Count);

    /// <summary>The packet at <paramref name="index"/>; its span is valid until the batch is reused.</summary>
    public RawPacket Packet(int index)
    {
        ref readonly var slot = ref _slots[index];
        return new RawPacket(slot.LinkType, slot.TimestampMicros, _data.AsSpan(slot.Offset, slot.Length), slot.OriginalLength);
    }

    /// <summary>The shard that processes the packet at <paramref name="index"/> (0 for a packet that is not TCP).</summary>
    public int Shard(int index) => _slots[index].Shard;

    public DecodeResult Result(int index) => _slots[index].Result;

    public long TimestampMicros(int index) => _slots[index].TimestampMicros;

    /// <summary>The decoded packet at <paramref name="index"/>, when <see cref="Result"/> is <see cref="DecodeResult.Tcp"/>.</summary>
    public ref readonly TcpPacket Tcp(int index) => ref _tcp[index];

    /// <summary>
    /// Copies a packet in with its decoding and shard; false when the batch is full (an empty batch takes any frame a
    /// capture file holds).
    /// </summary>
    public bool TryAdd(in RawPacket packet, long index, DecodeResult result, in TcpPacket tcp, int shard)
    {
        var length = packet.Data.Length;
        if (Count == MaxPackets || _data.Length - _used < length)
        {
            return false;
        }

        packet.Data.CopyTo(_data.AsSpan(_used));
        Append(_used, packet, index, result, tcp, shard);
        _used += length;
        return true;
    }

    /// <summary>
    /// Adds a packet that lies, unread by the batch, in a capture reader's buffer at <paramref name="offset"/>: the
    /// batch must <see cref="Adopt"/> that buffer before it is handed to the shards. False when the batch is full.
    /// </summary>
    public bool TryAddInPlace(in RawPacket packet, int offset, long index, DecodeResult result, in TcpPacket tcp, int shard)
    {
        if (Count == MaxPackets)
        {
            return false;
        }

        Append(offset, packet, index, result, tcp, shard);
        return true;
    }

    /// <summary>
    /// Takes <paramref name="readerBuffer"/>, in which the packets added in place lie, as this batch's data, and gives
    /// back the buffer the batch held, which no shard reads any more (the batch was merged, or never handed over).
    /// </summary>
    public byte[] Adopt(byte[] readerBuffer)
    {
        var spare = _data;
        _data = readerBuffer;
        return spare;
    }

    /// <summary>Before the hand-over: the batch is done when <paramref name="shards"/> shards have each called <see cref="Signal"/>.</summary>
    public void Arm(int shards)
    {
        _pending = shards;
        _done.Reset();
    }

    public void Signal()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _done.Set();
        }
    }

    public void Wait() => _done.Wait();

    /// <summary>Empties the batch for the next packets.</summary>
    public void Clear()
    {
        Count = 0;
        _used = 0;
        IsFlush = false;
        foreach (var reports in Reports)
        {
            reports.Clear();
        }
    }

    public void Dispose()
    {
        _done.Dispose();
        if (_data.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_data);
            foreach (var counts in _flowCounts)
            {
                ArrayPool<int>.Shared.Return(counts);
            }

            _data = [];
        }
    }

    private void Append(int offset, in RawPacket packet, long index, DecodeResult result, in TcpPacket tcp, int shard)
    {
        if (Count == 0)
        {
            FirstIndex = index;
        }

        if (Count == _slots.Length)
        {
            Grow();
        }

        _tcp[Count] = tcp;
        _slots[Count++] = new Slot(offset, packet.Data.Length, packet.OriginalLength, packet.LinkType, packet.TimestampMicros, result, (byte)shard);
    }

    private void Grow()
    {
        var length = Math.Min(MaxPackets, _slots.Length * 2);
        var slots = new Slot[length];
        var tcp = new TcpPacket[length];
        Array.Copy(_slots, slots, Count);
        Array.Copy(_tcp, tcp, Count);
        _slots = slots;
        _tcp = tcp;
    }

    private readonly record struct Slot(int Offset, int Length, int OriginalLength, int LinkType, long TimestampMicros, DecodeResult Result, byte Shard);
}
