using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Reporting;

namespace TunnelGuard.Pipeline;

/// <summary>
/// <see cref="PacketPipeline"/> over several threads with the same output. Flows are split over a fixed number of shards
/// by a hash of their 4-tuple (<see cref="FlowShard"/>); the caller's thread decodes each packet once and copies it into
/// a batch; each shard has its own flow table on its own thread and goes through every batch, processing the packets
/// of its flows and advancing its clock on the other TCP packets, so that flows end at the same packet as in one
/// pipeline. Reports are tagged with their <see cref="ReportOrder"/> and merged by it on the caller's
/// thread, which is the only one that calls the sink.
/// </summary>
/// <remarks>
/// The output equals one pipeline's, whatever the number of shards, as long as (1) no shard's table reaches its bound,
/// <see cref="FlowTableOptions.MaxFlows"/> divided among the shards (which flow is evicted then depends on the shard),
/// and (2) packet timestamps do not go backwards in the input (with a later packet stamped earlier, one table may hold
/// an idle flow behind a fresher one that another shard does not have, so the flow can end at another packet).
/// The caller hands packets in with <see cref="Process"/> and ends with <see cref="Complete"/>, on one thread.
/// </remarks>
public sealed class ShardedPipeline : IDisposable
{
    // Batches filled or being processed at once: the reader fills one while the shards work through the others.
    private const int MaxInFlight = 4;

    private readonly IConnectionSink _sink;
    private readonly PipelineShard[] _shards;
    private readonly Queue<PacketBatch> _inFlight = new();
    private readonly Stack<PacketBatch> _free = new();
    private readonly List<PacketBatch> _all = [];
    private readonly int[] _next;
    private PacketBatch _current;
    private bool _completed;
    // Set by ReadBuffersOf: packets are taken where the reader read them, and each batch adopts the reader's buffer.
    private CaptureFileReader? _reader;
    // The current batch has adopted the reader's previous buffer: its packets are complete, the next one is elsewhere.
    private bool _adopted;

    public ShardedPipeline(int shards, FlowTableOptions options, IConnectionSink sink, bool reportAllFlows = false, string? source = null, IShapeClassifier? classifier = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        options.Validate();
        _sink = sink;
        // A classifier that may be called from several threads is shared as it is: with a lock around the shape model,
        // the shards took turns at every judgement and spun waiting for each other (~14 % of their classify time).
        classifier ??= new HeuristicClassifier();
        var shared = classifier.IsThreadSafe ? classifier : new LockedClassifier(classifier);
        var shardOptions = ShardOptions(options, shards);
        _shards = new PipelineShard[shards];
        for (var i = 0; i < shards; i++)
        {
            _shards[i] = new PipelineShard(i, shardOptions, reportAllFlows, source, shared);
        }

        _next = new int[shards];
        _current = Rent();
    }

    /// <summary>Packets handed in so far.</summary>
    public long Packets { get; private set; }

    /// <summary>Most flows open at once over all shards, after any packet merged so far (as <see cref="FlowTable.Count"/> would show).</summary>
    public int PeakFlows { get; private set; }

    /// <summary>Flows created, evicted and expired, summed over the shards; final after <see cref="Complete"/>.</summary>
    public long FlowsCreated => Sum(static p => p.Flows.FlowsCreated);

    public long FlowsEvicted => Sum(static p => p.Flows.FlowsEvicted);

    public long FlowsExpired => Sum(static p => p.Flows.FlowsExpired);

    /// <summary>Every shard's <see cref="PacketPipeline.KeepFeatureHistory"/>; set before the first packet.</summary>
    public bool KeepFeatureHistory
    {
        get => _shards[0].Pipeline.KeepFeatureHistory;
        set
        {
            // The shards read it only inside a batch, which they get under their queue's lock.
            foreach (var shard in _shards)
            {
                shard.Pipeline.KeepFeatureHistory = value;
            }
        }
    }

    /// <summary>The table bound of each shard: <see cref="FlowTableOptions.MaxFlows"/> divided by the shard count, rounded up.</summary>
    public static int ShardMaxFlows(int maxFlows, int shards) =>
        Math.Max(FlowTableOptions.MinMaxFlows, (int)(((long)maxFlows + shards - 1) / shards));

    /// <summary>
    /// Takes the packets that <paramref name="reader"/> (a classic pcap) reads where they lie in its buffer instead of
    /// copying them: each batch adopts the buffer its packets were read into, and gives the reader its own spare buffer
    /// in exchange (the main thread copied every frame once more before, ~0.45 GB for the 794 K-packet benchmark file).
    /// Call before the first <see cref="Process"/>, pass only that reader's packets to <see cref="Process"/>, and keep the
    /// reader open until <see cref="Complete"/> (or <see cref="Drain"/> after a read error) has returned.
    /// </summary>
    public void ReadBuffersOf(CaptureFileReader reader)
    {
        if (Packets != 0 || _reader is not null)
        {
            throw new InvalidOperationException("attach the reader before the first packet");
        }

        _reader = reader;
        reader.HandBuffersTo(AdoptReaderBuffer);
    }

    /// <summary>Copies the packet in; reports of earlier packets may reach the sink meanwhile, on this thread.</summary>
    public void Process(in RawPacket packet)
    {
        ObjectDisposedException.ThrowIf(_completed, this);

        // Decoded once, here: a shard then skips the other shards' packets by their slot alone, without their bytes.
        var result = PacketDecoder.TryDecode(packet.LinkType, packet.Data, out var tcp);
        var shard = result == DecodeResult.Tcp ? FlowShard.Of(tcp, _shards.Length) : 0;
        if (_reader is not null)
        {
            ProcessInPlace(packet, result, tcp, shard);
        }
        else if (!_current.TryAdd(packet, Packets, result, tcp, shard))
        {
            Submit();
            _current.TryAdd(packet, Packets, result, tcp, shard);
        }

        Packets++;
    }

    /// <summary>Waits until every packet handed in so far is processed and its reports are in the sink.</summary>
    public void Drain()
    {
        if (_current.Count > 0)
        {
            if (_reader is not null && !_adopted)
            {
                // The current batch's packets are in the reader's buffer: the batch takes it (the reader keeps what it
                // read ahead, at most a cut-short record).
                _reader.HandOverBuffer();
            }

            Submit();
            _adopted = false;
        }

        while (_inFlight.TryDequeue(out var batch))
        {
            Merge(batch);
        }
    }

    /// <summary>Ends every open flow (end of input) so that each is reported, in the order one pipeline would.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        Drain();
        _current.IsFlush = true;
        Submit();
        Drain();
        _completed = true;
    }

    public void Dispose()
    {
        foreach (var shard in _shards)
        {
            shard.Dispose();
        }

        foreach (var batch in _all)
        {
            batch.Dispose();
        }
    }

    private static FlowTableOptions ShardOptions(FlowTableOptions options, int shards) => new()
    {
        MaxFlows = ShardMaxFlows(options.MaxFlows, shards),
        IdleTimeout = options.IdleTimeout,
        ProbationTimeout = options.ProbationTimeout,
        ClosedLinger = options.ClosedLinger,
        StreamPrefixBytes = options.StreamPrefixBytes,
    };

    private PacketBatch Rent()
    {
        if (_free.TryPop(out var batch))
        {
            return batch;
        }

        batch = new PacketBatch(_shards.Length);
        _all.Add(batch);
        return batch;
    }

    private void ProcessInPlace(in RawPacket packet, DecodeResult result, in TcpPacket tcp, int shard)
    {
        if (_adopted)
        {
            // The reader moved on to a new buffer to read this packet: the batch of the previous buffer is complete.
            if (_current.Count > 0)
            {
                Submit();
            }

            _adopted = false;
        }

        _current.TryAddInPlace(packet, _reader!.LastDataOffset, Packets, result, tcp, shard);
        if (_current.Count == PacketBatch.MaxPackets)
        {
            // Full: the batch takes the buffer now, and the reader goes on in another with what it read ahead.
            _reader.HandOverBuffer();
            Submit();
            _adopted = false;
        }
    }

    /// <summary>The reader's hand-over (<see cref="CaptureFileReader.HandBuffersTo"/>): the current batch's packets lie in <paramref name="full"/>.</summary>
    private byte[] AdoptReaderBuffer(byte[] full)
    {
        _adopted = true;
        return _current.Adopt(full);
    }

    private void Submit()
    {
        while (_inFlight.Count >= MaxInFlight)
        {
            Merge(_inFlight.Dequeue());
        }

        var batch = _current;
        batch.Arm(_shards.Length);
        _inFlight.Enqueue(batch);
        foreach (var shard in _shards)
        {
            shard.Add(batch);
        }

        _current = Rent();
    }

    /// <summary>Waits for a batch, checks the shards, then passes its reports to the sink in <see cref="ReportOrder"/>.</summary>
    private void Merge(PacketBatch batch)
    {
        batch.Wait();
        foreach (var shard in _shards)
        {
            shard.Failure?.Throw();
        }

        TrackPeak(batch);
        var lists = batch.Reports;
        Array.Clear(_next);
        while (true)
        {
            // Few shards: a linear pick of the smallest head beats a heap.
            var best = -1;
            for (var s = 0; s < lists.Length; s++)
            {
                if (_next[s] < lists[s].Count && (best < 0 || lists[s].Order(_next[s]).CompareTo(lists[best].Order(_next[best])) < 0))
                {
                    best = s;
                }
            }

            if (best < 0)
            {
                break;
            }

            _sink.OnConnection(lists[best].Report(_next[best]++));
        }

        batch.Clear();
        _free.Push(batch);
    }

    private void TrackPeak(PacketBatch batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var peak = PeakFlows;
        var first = batch.FlowCounts(0);
        for (var i = 0; i < first.Length; i++)
        {
            var total = first[i];
            for (var s = 1; s < _shards.Length; s++)
            {
                total += batch.FlowCounts(s)[i];
            }

            peak = Math.Max(peak, total);
        }

        PeakFlows = peak;
    }

    private long Sum(Func<PacketPipeline, long> counter)
    {
        long total = 0;
        foreach (var shard in _shards)
        {
            total += counter(shard.Pipeline);
        }

        return total;
    }
}
