namespace TunnelGuard.Enforcement;

/// <summary>Changes nothing: records what it would have done, for --dry-run and for reviewing a policy first.</summary>
public sealed class DryRunFirewall : IFirewall
{
    private readonly List<string> _actions = [];
    private readonly Lock _lock = new();

    public string Name => "dry-run";

    public IReadOnlyList<string> Actions
    {
        get
        {
            lock (_lock)
            {
                return [.. _actions];
            }
        }
    }

    public Task EnsureReadyAsync(CancellationToken cancellation) => Record("ready");

    public Task BlockAsync(FirewallBlock block, CancellationToken cancellation)
    {
        block.Validate();
        return Record($"block {Describe(block)} for {block.Seconds}s");
    }

    public Task UnblockAsync(FirewallBlock block, CancellationToken cancellation) => Record($"unblock {Describe(block)}");

    public Task RemoveAllAsync(CancellationToken cancellation) => Record("remove all");

    private static string Describe(FirewallBlock block) =>
        block.Scope == BlockScope.Pair ? $"{block.Address} <-> {block.Peer}" : block.Address.ToString();

    private Task Record(string action)
    {
        lock (_lock)
        {
            _actions.Add(action);
        }

        return Task.CompletedTask;
    }
}
