using System.Runtime.ExceptionServices;
using TunnelGuard.Classification;
using TunnelGuard.Decoding;
using TunnelGuard.Flows;

namespace TunnelGuard.Pipeline;

/// <summary>
/// One shard of a <see cref="ShardedPipeline"/>: its own flow table and pipeline on its own thread. It goes through
/// every packet of every batch, processes those of its flows and lets the other TCP packets move its clock, and puts
/// its reports into the batch with their <see cref="ReportOrder"/>.
/// </summary>
internal sealed class PipelineShard : IDisposable
{
    private readonly int _index;
    private readonly PacketPipeline _pipeline;
    // Batches to process, oldest first, guarded by its own lock. Waiting is Monitor.Wait, which blocks at once: on a
    // busy machine a spinning wait (BlockingCollection, SemaphoreSlim) burns the CPU time the other shard needs.
    private readonly Queue<PacketBatch> _queue = new();
    private bool _closed;
    private readonly Thread _thread;
    private ShardReports? _reports;
    private ExceptionDispatchInfo? _failure;

    public PipelineShard(int index, FlowTableOptions options, bool reportAllFlows, string? source, IShapeClassifier classifier)
    {
        _index = index;
        _pipeline = new PacketPipeline(options, (order, report) => _reports!.Add(order, report), reportAllFlows, source, classifier);
        _thread = new Thread(Run) { IsBackground = true, Name = $"pipeline shard {index}" };
        _thread.Start();
    }

    /// <summary>Read only while the shard is idle (every batch handed to it has signalled).</summary>
    public PacketPipeline Pipeline => _pipeline;

    /// <summary>What the shard threw, if anything: it processes nothing after that but still signals every batch.</summary>
    public ExceptionDispatchInfo? Failure => _failure;

    /// <summary>Queues a batch (the pipeline's batches in flight bound the queue).</summary>
    public void Add(PacketBatch batch)
    {
        lock (_queue)
        {
            _queue.Enqueue(batch);
            Monitor.Pulse(_queue);
        }
    }

    /// <summary>Lets the thread finish the queued batches and waits for it.</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            _closed = true;
            Monitor.Pulse(_queue);
        }

        _thread.Join();
    }

    private PacketBatch? Take()
    {
        lock (_queue)
        {
            while (_queue.Count == 0 && !_closed)
            {
                Monitor.Wait(_queue);
            }

            return _queue.TryDequeue(out var batch) ? batch : null;
        }
    }

    private void Run()
    {
        while (Take() is { } batch)
        {
            if (_failure is null)
            {
                try
                {
                    Process(batch);
                }
#pragma warning disable CA1031 // Anything the pipeline throws goes to the caller's thread, which rethrows it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _failure = ExceptionDispatchInfo.Capture(ex);
                }
            }

            batch.Signal();
        }
    }

    private void Process(PacketBatch batch)
    {
        _reports = batch.Reports[_index];
        if (batch.IsFlush)
        {
            _pipeline.Complete();
            return;
        }

        var counts = batch.FlowCounts(_index);
        var first = batch.FirstIndex;
        for (var i = 0; i < counts.Length; i++)
        {
            if (batch.Shard(i) == _index)
            {
                _pipeline.Process(batch.Packet(i), batch.Result(i), batch.Tcp(i), first + i);
            }
            else if (batch.Result(i) == DecodeResult.Tcp)
            {
                _pipeline.Skip(batch.TimestampMicros(i), first + i);
            }

            counts[i] = _pipeline.Flows.Count;
        }
    }
}
