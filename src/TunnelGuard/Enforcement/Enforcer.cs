using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TunnelGuard.Decoding;
using TunnelGuard.Rules;

namespace TunnelGuard.Enforcement;

/// <summary>
/// Carries out the blocks rules decide: each request passes the <see cref="BlockGuard"/> on the pipeline thread (it
/// only counts), then waits in a bounded queue for a worker that talks to the firewall, so a slow or failing firewall
/// never stalls capture. An address already blocked is not blocked again until its block has run out. With a
/// <see cref="BlockStore"/>, every block is recorded, re-applied by <see cref="RestoreAsync"/> after a restart and
/// ended by <see cref="ExpireDueAsync"/> when it runs out; every block, refusal, expiry and failure is audited (store
/// and log). A block the firewall failed to take is tried again by <see cref="ExpireDueAsync"/> until it works or its
/// time has run out; a failing firewall is logged once, not at every attempt, and again when it works. A failing store
/// (full or read-only disk) never stops enforcement: blocks stay in force (the firewall's timed elements end them on
/// time), the missing records are counted and logged once, and the store lets go of its file until it works again.
/// </summary>
public sealed class Enforcer : IAsyncDisposable
{
    private readonly IFirewall _firewall;
    private readonly BlockGuard _guard;
    private readonly BlockStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<PendingBlock> _queue = Channel.CreateBounded<PendingBlock>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    // Requested blocks by target and the packet time they run out: a target in here is not requested again.
    private readonly Dictionary<(IpAddress, IpAddress?), long> _activeUntil = [];

    // Blocks the firewall has taken, by target and the wall-clock time they run out.
    private readonly Dictionary<(IpAddress, IpAddress?), long> _inForce = [];
    private readonly SemaphoreSlim _firewallLock = new(1, 1);
    private readonly Task _worker;
    private readonly List<(PendingBlock Pending, long UntilMicros)> _retry = [];
    private bool _ready;
    private bool _failing;
    private int _storeFailing;
    private long _storeFailures;
    private long _failures;
    private long _applied;
    private long _refused;
    private long _expired;
    private long _reapplied;

    public Enforcer(IFirewall firewall, BlockGuard guard, BlockStore? store = null, TimeProvider? time = null, ILogger<Enforcer>? log = null)
    {
        _firewall = firewall;
        _guard = guard;
        _store = store;
        _time = time ?? TimeProvider.System;
        _log = (ILogger?)log ?? NullLogger.Instance;
        _worker = Task.Run(WorkAsync);
    }

    public string FirewallName => _firewall.Name;

    /// <summary>Blocks put into the firewall (not counting re-applications).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Firewall commands that failed, and blocks lost to a full queue.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Requests the guard refused (protected address or rate cap).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Blocks that ran out and were ended.</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Blocks from the store put back into the firewall at start.</summary>
    public long Reapplied => Interlocked.Read(ref _reapplied);

    /// <summary>Blocks waiting to be tried again because the firewall failed.</summary>
    public int Retrying
    {
        get
        {
            lock (_retry)
            {
                return _retry.Count;
            }
        }
    }

    /// <summary>Blocks in force now (wall clock).</summary>
    public int Active
    {
        get
        {
            var now = NowMicros();
            lock (_inForce)
            {
                return _inForce.Values.Count(until => until > now);
            }
        }
    }

    /// <summary>
    /// Asks for the block a rule decided, at packet time <paramref name="nowMicros"/>. True when the target is (or is
    /// about to be) blocked; false when the guard refused or the queue was full.
    /// </summary>
    public bool Request(BlockDecision decision, string ruleId, long nowMicros)
    {
        var addresses = decision.Addresses;
        if (decision.Target == BlockTarget.Pair && addresses.Count == 2)
        {
            return Enqueue(addresses[0], addresses[1], decision.Duration, ruleId, nowMicros);
        }

        var any = false;
        foreach (var address in addresses)
        {
            any |= Enqueue(address, null, decision.Duration, ruleId, nowMicros);
        }

        return any;
    }

    /// <summary>Puts the store's unexpired blocks back into the firewall (after a restart, or a firewall flush); returns how many.</summary>
    public async Task<int> RestoreAsync(CancellationToken cancellation)
    {
        if (_store is null)
        {
            return 0;
        }

        var now = NowMicros();
        var count = 0;
        foreach (var record in StoreRead(store => store.Active(now), []))
        {
            var block = record.ToFirewallBlock(now);
            if (await TryFirewallAsync(() => _firewall.BlockAsync(block, cancellation), cancellation).ConfigureAwait(false))
            {
                lock (_activeUntil)
                {
                    _activeUntil[(record.Address, record.Peer)] = record.ExpiresMicros;
                }

                InForce(record.Address, record.Peer, record.ExpiresMicros);

                Interlocked.Increment(ref _reapplied);
                count++;
                StoreWrite(store => store.Audit(now, "reapply", record.Target, record.RuleId, $"{block.Seconds}s left"));
                _log.LogWarning("re-applied block of {Target} ({Seconds}s left, rule {Rule}) with {Firewall}", record.Target, block.Seconds, record.RuleId, _firewall.Name);
            }
        }

        return count;
    }

    /// <summary>Ends the blocks whose time has run out: removes them from the firewall (if it has not done so itself) and records it.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellation)
    {
        var now = NowMicros();
        await RetryFailedAsync(now, cancellation).ConfigureAwait(false);
        IReadOnlyList<BlockRecord> due;
        if (_store is not null)
        {
            // While the store fails nothing is ended here: the firewall's timed elements end the blocks themselves,
            // and the store hands them over, due, once it works again.
            due = StoreRead(store => store.ExpireDue(now), []);
        }
        else
        {
            lock (_inForce)
            {
                due = [.. _inForce.Where(e => e.Value <= now).Select(e => new BlockRecord(0, e.Key.Item1, e.Key.Item2, "-", "-", 1, e.Value, e.Value))];
            }
        }

        foreach (var record in due)
        {
            lock (_activeUntil)
            {
                if (_activeUntil.TryGetValue((record.Address, record.Peer), out var until) && until <= now)
                {
                    _activeUntil.Remove((record.Address, record.Peer));
                }
            }

            lock (_inForce)
            {
                _inForce.Remove((record.Address, record.Peer));
            }

            await TryFirewallAsync(() => _firewall.UnblockAsync(record.ToFirewallBlock(now), cancellation), cancellation).ConfigureAwait(false);
            Interlocked.Increment(ref _expired);
            _log.LogWarning("block of {Target} expired (rule {Rule})", record.Target, record.RuleId);
        }

        return due.Count;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);

        // The firewall lock is not disposed: expiry and removal stay usable after the queue has been drained.
    }

    private bool Enqueue(IpAddress address, IpAddress? peer, TimeSpan requested, string ruleId, long nowMicros)
    {
        lock (_activeUntil)
        {
            if (_activeUntil.TryGetValue((address, peer), out var until) && until > nowMicros)
            {
                return true;
            }
        }

        var target = Describe(address, peer);
        var verdict = _guard.Decide(address, requested, nowMicros);
        if (!verdict.Allowed)
        {
            Interlocked.Increment(ref _refused);
            StoreWrite(store => store.Audit(NowMicros(), "refuse", target, ruleId, verdict.Reason));
            _log.LogWarning("refused to block {Target} for rule {Rule}: {Reason}", target, ruleId, verdict.Reason);
            return false;
        }

        var block = peer is { } p
            ? new FirewallBlock(address, verdict.Duration, BlockScope.Pair, p)
            : new FirewallBlock(address, verdict.Duration);
        if (!_queue.Writer.TryWrite(new PendingBlock(block, ruleId, verdict.Reason, verdict.Offence)))
        {
            Interlocked.Increment(ref _failures);
            _log.LogError("block queue full: {Target} not blocked", target);
            return false;
        }

        lock (_activeUntil)
        {
            _activeUntil[(address, peer)] = nowMicros + (long)verdict.Duration.TotalMicroseconds;
        }

        _log.LogWarning("blocking {Target} for {Seconds}s (rule {Rule}, {Reason})", target, (long)verdict.Duration.TotalSeconds, ruleId, verdict.Reason);
        return true;
    }

    private async Task WorkAsync()
    {
        await foreach (var pending in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var block = pending.Block;
            if (await TryFirewallAsync(() => _firewall.BlockAsync(block, CancellationToken.None), CancellationToken.None).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _applied);
                RecordApplied(pending);
                _log.LogWarning("blocked {Target} with {Firewall}", Describe(block.Address, block.Peer), _firewall.Name);
            }
            else
            {
                lock (_retry)
                {
                    if (_retry.Count < 1024)
                    {
                        _retry.Add((pending, NowMicros() + (long)block.Duration.TotalMicroseconds));
                    }
                }
            }
        }
    }

    /// <summary>Tries again the blocks the firewall failed to take, with what is left of their time.</summary>
    private async Task RetryFailedAsync(long now, CancellationToken cancellation)
    {
        List<(PendingBlock Pending, long UntilMicros)> due;
        lock (_retry)
        {
            due = [.. _retry];
            _retry.Clear();
        }

        foreach (var (pending, until) in due)
        {
            if (until <= now)
            {
                lock (_activeUntil)
                {
                    _activeUntil.Remove((pending.Block.Address, pending.Block.Scope == BlockScope.Pair ? pending.Block.Peer : null));
                }

                continue;
            }

            var block = pending.Block with { Duration = TimeSpan.FromMicroseconds(until - now) };
            if (await TryFirewallAsync(() => _firewall.BlockAsync(block, cancellation), cancellation).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _applied);
                RecordApplied(pending with { Block = block });
                _log.LogWarning("blocked {Target} with {Firewall} (retried)", Describe(block.Address, block.Peer), _firewall.Name);
            }
            else
            {
                lock (_retry)
                {
                    _retry.Add((pending, until));
                }
            }
        }
    }

    private void InForce(IpAddress address, IpAddress? peer, long untilMicros)
    {
        lock (_inForce)
        {
            _inForce[(address, peer)] = untilMicros;
        }
    }

    private void RecordApplied(PendingBlock pending)
    {
        var block = pending.Block;
        InForce(block.Address, block.Scope == BlockScope.Pair ? block.Peer : null, NowMicros() + (block.Seconds * 1_000_000));
        // The block is in force; if the store fails, only its record is missing (counted and logged, never fatal).
        StoreWrite(store => store.Add(pending.Block, pending.RuleId, pending.Reason, pending.Offence, NowMicros()));
    }

    /// <summary>Block store failures (full or read-only disk, file gone): missing block and audit records.</summary>
    public long StoreFailures => Interlocked.Read(ref _storeFailures);

    private void StoreWrite(Action<BlockStore> write) => StoreRead(store =>
    {
        write(store);
        return true;
    }, false);

    /// <summary>Runs one store call; on failure counts it, logs it once (and once when the store works again), lets go of the file and gives <paramref name="fallback"/>.</summary>
    private T StoreRead<T>(Func<BlockStore, T> call, T fallback)
    {
        if (_store is null)
        {
            return fallback;
        }

        try
        {
            var result = call(_store);
            if (Interlocked.Exchange(ref _storeFailing, 0) == 1)
            {
                _log.LogWarning("block store {Store} works again", _store.Path);
            }

            return result;
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _storeFailures);
            _store.Release();
            if (Interlocked.Exchange(ref _storeFailing, 1) == 0)
            {
                _log.LogError("block store {Store} fails: {Error}; blocks stay in force, their records are missing until it works again (counted in tunnelguard_block_store_failures_total)", _store.Path, ex.Message);
            }

            return fallback;
        }
    }

    /// <summary>Runs one firewall change (making the firewall ready first); false, counted and logged when it fails.</summary>
    private async Task<bool> TryFirewallAsync(Func<Task> change, CancellationToken cancellation)
    {
        await _firewallLock.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await _firewall.EnsureReadyAsync(cancellation).ConfigureAwait(false);
                _ready = true;
            }

            await change().ConfigureAwait(false);
            if (_failing)
            {
                _failing = false;
                _log.LogWarning("firewall {Firewall} works again", _firewall.Name);
            }

            return true;
        }
        catch (FirewallException ex)
        {
            Interlocked.Increment(ref _failures);
            _ready = false;
            if (!_failing)
            {
                _failing = true;
                StoreWrite(store => store.Audit(NowMicros(), "error", null, null, ex.Message));
                _log.LogError("firewall error: {Error} (further errors are counted in tunnelguard_firewall_errors_total and retried, not logged, until it recovers)", ex.Message);
            }
            else
            {
                _log.LogDebug("firewall error: {Error}", ex.Message);
            }

            return false;
        }
        finally
        {
            _firewallLock.Release();
        }
    }

    private long NowMicros() => _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    private static string Describe(IpAddress address, IpAddress? peer) => peer is { } p ? $"{address} <-> {p}" : address.ToString();
}
