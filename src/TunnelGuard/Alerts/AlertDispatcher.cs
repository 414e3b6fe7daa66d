using System.Threading.Channels;

namespace TunnelGuard.Alerts;

/// <summary>
/// Takes alerts off the pipeline thread: <see cref="OnAlert"/> only queues, and one worker commits each alert to the
/// store and then hands it to the other sinks, in order. The queue is bounded (<see cref="DefaultCapacity"/>); when a
/// slow store or sink lets it fill, new alerts are dropped and counted rather than stalling capture. A failing store
/// or sink is counted and reported, and the alert still goes to the remaining sinks: seen but not stored beats lost.
/// Replay does not use this (it writes alerts in line with the connection reports, synchronously, for a stable output).
/// </summary>
public sealed class AlertDispatcher : IAlertSink, IAsyncDisposable
{
    // About an hour of a very noisy network's alerts; each queued alert is a few KB.
    public const int DefaultCapacity = 4096;

    private readonly Channel<Alert> _queue;
    private readonly AlertStore? _store;
    private readonly IReadOnlyList<IAlertSink> _sinks;
    private readonly Action<string, Alert, Exception>? _onFailure;
    private readonly Task _worker;
    private long _dropped;
    private long _delivered;
    private long _storeFailures;
    private long _sinkFailures;

    /// <param name="store">Committed to first; null for none.</param>
    /// <param name="sinks">Told after the store, in order.</param>
    /// <param name="onFailure">Told of each failure: which part ("store" or the sink's type name), the alert and the exception.</param>
    /// <param name="capacity">How many alerts may wait.</param>
    public AlertDispatcher(AlertStore? store, IReadOnlyList<IAlertSink> sinks, Action<string, Alert, Exception>? onFailure = null, int capacity = DefaultCapacity)
    {
        _store = store;
        _sinks = sinks;
        _onFailure = onFailure;
        var options = new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true };

        // In DropWrite mode TryWrite still returns true: drops are only seen here.
        _queue = Channel.CreateBounded<Alert>(options, _ => Interlocked.Increment(ref _dropped));
        _worker = Task.Run(RunAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Alerts that went through the store (or failed it) and every sink.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public long StoreFailures => Interlocked.Read(ref _storeFailures);

    public long SinkFailures => Interlocked.Read(ref _sinkFailures);

    /// <summary>Queues the alert; never blocks. After <see cref="DisposeAsync"/> the alert is dropped.</summary>
    public void OnAlert(Alert alert)
    {
        if (!_queue.Writer.TryWrite(alert))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Stops taking alerts and waits until every queued one is delivered.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_store is not null)
            {
                try
                {
                    _store.TryAdd(alert);
                }
                catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
                {
                    Interlocked.Increment(ref _storeFailures);
                    _onFailure?.Invoke("store", alert, ex);
                }
            }

            foreach (var sink in _sinks)
            {
                try
                {
                    sink.OnAlert(alert);
                }
#pragma warning disable CA1031 // A sink is outside code (a file, a socket, a plug-in): none of its failures may end the worker.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref _sinkFailures);
                    _onFailure?.Invoke(sink.GetType().Name, alert, ex);
                }
            }

            Interlocked.Increment(ref _delivered);
        }
    }
}
