using System.Threading.Channels;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Alerts;

/// <summary>
/// Passes each connection report on, then runs it through the rule engine and raises an alert for each rule that
/// alerts: committed to the store first (when there is one), then handed to the other sinks, so nothing is reported as
/// raised before it is on disk. A store that fails (disk full, read-only) does not stop the pipeline or lose alerts:
/// the alert still goes to the other sinks, waits in memory (bounded) and is written, in order, as soon as the store
/// works again (<see cref="RetryUnstored"/>); the outage is reported once through <see cref="StoreProblem"/>, and again
/// when it is over. Thread-safe: a monitor evaluates on its pipeline thread and retries from a timer.
/// With <see cref="StartBackground"/> (the monitor), the policy and the block decisions still run on the caller's thread,
/// but storing and handing alerts to the sinks happen in order on a worker behind a bounded queue, so a slow disk or
/// sink never stalls the pipeline; an alert is still on disk before any sink reports it.
/// </summary>
public sealed class AlertingConnectionSink : IConnectionSink
{
    private readonly IConnectionSink? _inner;
    private readonly RuleEngine _engine;
    private readonly AlertStore? _store;
    private readonly IReadOnlyList<IAlertSink> _sinks;
    private readonly string? _sensor;

    // Alerts raised on a still-open connection (a monitor's verdict change), by connection, so that the verdict
    // changes that follow reach the stored timeline when the connection ends. Emptied as connections end.
    private readonly Dictionary<(string CommunityId, long FirstSeenMicros), List<string>> _openAlerts = [];

    // Alerts raised while the store failed, oldest first, waiting to be written.
    private readonly Queue<Alert> _unstored = new();
    private readonly Lock _lock = new();
    private bool _storeFailing;
    private long _storeFailures;
    private long _unstoredDropped;

    /// <summary>At most this many alerts wait for a failing store; beyond that the oldest are dropped and counted.</summary>
    public const int MaxUnstored = 100_000;

    // SQLITE_FULL: the disk is full.
    private const int SqliteFull = 13;

    private Channel<Action>? _background;
    private Task? _worker;
    private long _backgroundDropped;
    private long _sinkFailures;
    private int _alreadyStored;

    public AlertingConnectionSink(IConnectionSink? inner, RuleEngine engine, AlertStore? store, IReadOnlyList<IAlertSink> sinks, string? sensor = null)
    {
        _inner = inner;
        _engine = engine;
        _store = store;
        _sinks = sinks;
        _sensor = sensor;
    }

    /// <summary>Alerts raised so far.</summary>
    public int Raised { get; private set; }

    /// <summary>Alerts whose id was already in the store (the same capture replayed again).</summary>
    public int AlreadyStored => Volatile.Read(ref _alreadyStored);

    /// <summary>Alerts lost because the background queue was full (a store or sink far slower than the alerts come).</summary>
    public long BackgroundDropped => Interlocked.Read(ref _backgroundDropped);

    /// <summary>Sinks that threw while handed an alert (in background mode; counted, the others still get it).</summary>
    public long SinkFailures => Interlocked.Read(ref _sinkFailures);

    /// <summary>Writes to the store that failed (each attempt counts).</summary>
    public long StoreFailures => Interlocked.Read(ref _storeFailures);

    /// <summary>Alerts raised but not yet in the store because it fails.</summary>
    public int Unstored
    {
        get
        {
            lock (_lock)
            {
                return _unstored.Count;
            }
        }
    }

    /// <summary>Alerts dropped because more than <see cref="MaxUnstored"/> waited for a failing store.</summary>
    public long UnstoredDropped => Interlocked.Read(ref _unstoredDropped);

    /// <summary>Told once when the store starts failing (true, with why) and once when it works again (false).</summary>
    public Action<bool, string>? StoreProblem { get; set; }

    /// <summary>
    /// Told of every block a rule decides, with the rule's id and the packet time of the decision; answers whether the
    /// block is (or already was) in force, which the alert then says.
    /// </summary>
    public Func<BlockDecision, string, long, bool>? BlockDecided { get; set; }

    public void OnConnection(ConnectionReport report)
    {
        _inner?.OnConnection(report);
        Evaluate(report);
        if (!report.Ongoing && _store is not null && _openAlerts.Remove((report.CommunityId, report.FirstSeenMicros), out var ids))
        {
            lock (_lock)
            {
                foreach (var id in ids)
                {
                    var changes = report.VerdictChanges;
                    Run(() =>
                    {
                        lock (_lock)
                        {
                            TryStore(() => _store.AddVerdictChanges(id, changes));
                        }
                    });
                }
            }
        }
    }

    /// <summary>Runs the policy on a report (also a provisional one) and raises its alerts, without passing it on.</summary>
    public void Evaluate(ConnectionReport report)
    {
        var evaluation = _engine.Evaluate(report);
        HashSet<string>? enforced = null;
        foreach (var hit in evaluation.Hits)
        {
            if (hit.Block is { } block && BlockDecided?.Invoke(block, hit.Rule.Id, evaluation.DecisionMicros) == true)
            {
                (enforced ??= []).Add(hit.Rule.Id);
            }
        }

        foreach (var hit in evaluation.Hits)
        {
            if (!hit.RaisesAlert)
            {
                continue;
            }

            var alert = AlertFactory.Create(hit, report, evaluation.DecisionMicros, _sensor, enforced?.Contains(hit.Rule.Id) == true);
            Raised++;
            if (report.Ongoing && _store is not null)
            {
                var key = (report.CommunityId, report.FirstSeenMicros);
                if (!_openAlerts.TryGetValue(key, out var ids))
                {
                    _openAlerts[key] = ids = [];
                }

                ids.Add(alert.Id);
            }

            Run(() => Deliver(alert));
        }
    }

    /// <summary>From now on, stores and delivers alerts on a worker behind a queue of <paramref name="capacity"/>.</summary>
    public void StartBackground(int capacity = 100_000)
    {
        _background = Channel.CreateBounded<Action>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _backgroundDropped));
        var reader = _background.Reader;
        _worker = Task.Run(async () =>
        {
            await foreach (var work in reader.ReadAllAsync().ConfigureAwait(false))
            {
                work();
            }
        });
    }

    /// <summary>Stops taking work and waits until every queued alert is stored and delivered.</summary>
    public async Task StopBackgroundAsync()
    {
        _background?.Writer.TryComplete();
        if (_worker is { } worker)
        {
            await worker.ConfigureAwait(false);
        }
    }

    private void Run(Action work)
    {
        if (_background is null)
        {
            work();
        }
        else
        {
            // DropWrite: a full queue drops the item and the channel's callback counts it.
            _background.Writer.TryWrite(work);
        }
    }

    /// <summary>Stores the alert (or keeps it for a failing store), then hands it to every sink.</summary>
    private void Deliver(Alert alert)
    {
        Store(alert);
        foreach (var sink in _sinks)
        {
            if (_background is null)
            {
                sink.OnAlert(alert);
                continue;
            }

            try
            {
                sink.OnAlert(alert);
            }
#pragma warning disable CA1031 // A sink is outside code (a file, a socket): none of its failures may end the worker.
            catch (Exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _sinkFailures);
            }
        }
    }

    /// <summary>Writes the alerts that wait for a failing store, oldest first, until one fails; how many are still waiting.</summary>
    public int RetryUnstored()
    {
        lock (_lock)
        {
            FlushUnstored();
            return _unstored.Count;
        }
    }

    /// <summary>Takes the alerts still not stored (at shutdown, to hand them to the log instead).</summary>
    public IReadOnlyList<Alert> TakeUnstored()
    {
        lock (_lock)
        {
            var all = _unstored.ToList();
            _unstored.Clear();
            return all;
        }
    }

    private void Store(Alert alert)
    {
        if (_store is null)
        {
            return;
        }

        lock (_lock)
        {
            FlushUnstored();
            var added = false;
            if (_unstored.Count > 0 || !TryStore(() => added = _store.TryAdd(alert)))
            {
                Keep(alert);
            }
            else if (!added)
            {
                Interlocked.Increment(ref _alreadyStored);
            }
        }
    }

    private void FlushUnstored()
    {
        while (_unstored.TryPeek(out var waiting) && TryStore(() => _store!.TryAdd(waiting)))
        {
            _unstored.Dequeue();
        }
    }

    private void Keep(Alert alert)
    {
        if (_unstored.Count >= MaxUnstored)
        {
            _unstored.Dequeue();
            Interlocked.Increment(ref _unstoredDropped);
        }

        _unstored.Enqueue(alert);
    }

    private bool TryStore(Action write)
    {
        try
        {
            write();
            if (_storeFailing)
            {
                _storeFailing = false;
                StoreProblem?.Invoke(false, $"alert store {_store!.Path} works again");
            }

            return true;
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _storeFailures);

            // Any error but a full disk lets go of the file until the next try: a file system that the kernel turned
            // read-only can only be fixed by unmounting it. A full disk keeps it: closing would checkpoint the
            // write-ahead log, free its space, and the outage would flap.
            if (ex is not Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SqliteFull })
            {
                _store!.Release();
            }

            if (!_storeFailing)
            {
                _storeFailing = true;
                var why = _store!.WhyNotWritable() is { } reason ? $"; {reason}" : string.Empty;
                StoreProblem?.Invoke(true, $"alert store {_store.Path} fails: {ex.Message}{why} (alerts wait in memory and are written as soon as it takes them)");
            }

            return false;
        }
    }
}
