using System.Threading.Channels;
using TunnelGuard.Decoding;
using TunnelGuard.Rules;

namespace TunnelGuard.Enforcement;

/// <summary>
/// Carries out the blocks rules decide: each request passes the <see cref="BlockGuard"/> on the pipeline thread (it
/// only counts), then waits in a bounded queue for a worker that talks to the firewall, so a slow or failing firewall
/// never stalls capture. An address already blocked is not blocked again until its block has run out. Every block,
/// refusal and failure is written to the audit writer.
/// </summary>
public sealed class Enforcer : IAsyncDisposable
{
    private readonly IFirewall _firewall;
    private readonly BlockGuard _guard;
    private readonly TextWriter _audit;
    private readonly Channel<FirewallBlock> _queue = Channel.CreateBounded<FirewallBlock>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<(IpAddress, IpAddress?), long> _activeUntil = [];
    private readonly Task _worker;
    private long _failures;
    private long _applied;

    public Enforcer(IFirewall firewall, BlockGuard guard, TextWriter audit)
    {
        _firewall = firewall;
        _guard = guard;
        _audit = audit;
        _worker = Task.Run(WorkAsync);
    }

    public long Applied => Interlocked.Read(ref _applied);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Asks for the block a rule decided, at packet time <paramref name="nowMicros"/>.</summary>
    public void Request(BlockDecision decision, string ruleId, long nowMicros)
    {
        var addresses = decision.Addresses;
        if (decision.Target == BlockTarget.Pair && addresses.Count == 2)
        {
            Enqueue(addresses[0], addresses[1], decision.Duration, ruleId, nowMicros);
            return;
        }

        foreach (var address in addresses)
        {
            Enqueue(address, null, decision.Duration, ruleId, nowMicros);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }

    private void Enqueue(IpAddress address, IpAddress? peer, TimeSpan requested, string ruleId, long nowMicros)
    {
        lock (_activeUntil)
        {
            if (_activeUntil.TryGetValue((address, peer), out var until) && until > nowMicros)
            {
                return;
            }
        }

        var verdict = _guard.Decide(address, requested, nowMicros);
        if (!verdict.Allowed)
        {
            Audit($"refused to block {Describe(address, peer)} for rule {ruleId}: {verdict.Reason}");
            return;
        }

        lock (_activeUntil)
        {
            _activeUntil[(address, peer)] = nowMicros + (long)verdict.Duration.TotalMicroseconds;
        }

        var block = peer is { } p
            ? new FirewallBlock(address, verdict.Duration, BlockScope.Pair, p)
            : new FirewallBlock(address, verdict.Duration);
        if (!_queue.Writer.TryWrite(block))
        {
            Interlocked.Increment(ref _failures);
            Audit($"block queue full: {Describe(address, peer)} not blocked");
            return;
        }

        Audit($"blocking {Describe(address, peer)} for {(long)verdict.Duration.TotalSeconds}s (rule {ruleId}, {verdict.Reason})");
    }

    private async Task WorkAsync()
    {
        var ready = false;
        await foreach (var block in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (!ready)
                {
                    await _firewall.EnsureReadyAsync(CancellationToken.None).ConfigureAwait(false);
                    ready = true;
                }

                await _firewall.BlockAsync(block, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _applied);
                Audit($"blocked {Describe(block.Address, block.Peer)} with {_firewall.Name}");
            }
            catch (FirewallException ex)
            {
                Interlocked.Increment(ref _failures);
                Audit($"firewall error: {ex.Message}");
            }
        }
    }

    private static string Describe(IpAddress address, IpAddress? peer) => peer is { } p ? $"{address} <-> {p}" : address.ToString();

    private void Audit(string line)
    {
        lock (_audit)
        {
            _audit.WriteLine($"tunnelguard: {line}");
            _audit.Flush();
        }
    }
}
