using System.Globalization;
using System.Text;

namespace TunnelGuard.Enforcement;

/// <summary>
/// Blocks with nftables the way fail2ban and CrowdSec do: TunnelGuard's own <c>inet</c> table, IPv4 and IPv6 sets
/// with per-element timeouts, drop rules on the input, forward and output hooks (so an established connection stops
/// too, not only new ones), every change one atomic <c>nft -f -</c> batch built from validated values.
/// </summary>
public sealed class NftablesFirewall : IFirewall
{
    public const string DefaultTable = "tunnelguard";

    private readonly CommandRunner _runner;
    private readonly string _table;

    public NftablesFirewall(CommandRunner? runner = null, string table = DefaultTable)
    {
        _runner = runner ?? new CommandRunner();
        if (table.Length is 0 or > 32 || !table.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"bad nftables table name '{table}'", nameof(table));
        }

        _table = table;
    }

    public string Name => "nftables";

    public Task EnsureReadyAsync(CancellationToken cancellation)
    {
        // "add" is idempotent for tables, chains and sets; the chains are flushed and refilled so rules never double.
        var t = $"inet {_table}";
        var batch = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"add table {t}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set {t} addr4 {{ type ipv4_addr; flags timeout; }}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set {t} addr6 {{ type ipv6_addr; flags timeout; }}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set {t} pair4 {{ type ipv4_addr . ipv4_addr; flags timeout; }}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set {t} pair6 {{ type ipv6_addr . ipv6_addr; flags timeout; }}");
        foreach (var (chain, hook) in new[] { ("input", "input"), ("forward", "forward"), ("output", "output") })
        {
            batch.AppendLine(CultureInfo.InvariantCulture, $"add chain {t} {chain} {{ type filter hook {hook} priority -10; policy accept; }}")
                .AppendLine(CultureInfo.InvariantCulture, $"flush chain {t} {chain}")
                .AppendLine(CultureInfo.InvariantCulture, $"add rule {t} {chain} ip saddr @addr4 drop")
                .AppendLine(CultureInfo.InvariantCulture, $"add rule {t} {chain} ip daddr @addr4 drop")
                .AppendLine(CultureInfo.InvariantCulture, $"add rule {t} {chain} ip6 saddr @addr6 drop")
                .AppendLine(CultureInfo.InvariantCulture, $"add rule {t} {chain} ip6 daddr @addr6 drop")
                .AppendLine(CultureInfo.InvariantCulture, $"add rule {t} {chain} ip saddr . ip daddr @pair4 drop")
                .AppendLine(CultureInfo.InvariantCulture, $"add rule {t} {chain} ip6 saddr . ip6 daddr @pair6 drop");
        }

        return ApplyAsync(batch.ToString(), cancellation);
    }

    public Task BlockAsync(FirewallBlock block, CancellationToken cancellation)
    {
        block.Validate();
        var batch = new StringBuilder();
        foreach (var (set, element) in Elements(block))
        {
            // add + delete + add: refreshes the timeout whether or not the element existed (a lone delete of a
            // missing element would abort the whole batch).
            batch.AppendLine(CultureInfo.InvariantCulture, $"add element inet {_table} {set} {{ {element} }}")
                .AppendLine(CultureInfo.InvariantCulture, $"delete element inet {_table} {set} {{ {element} }}")
                .AppendLine(CultureInfo.InvariantCulture, $"add element inet {_table} {set} {{ {element} timeout {block.Seconds}s }}");
        }

        return ApplyAsync(batch.ToString(), cancellation);
    }

    public Task UnblockAsync(FirewallBlock block, CancellationToken cancellation)
    {
        var batch = new StringBuilder();
        foreach (var (set, element) in Elements(block))
        {
            batch.AppendLine(CultureInfo.InvariantCulture, $"add element inet {_table} {set} {{ {element} }}")
                .AppendLine(CultureInfo.InvariantCulture, $"delete element inet {_table} {set} {{ {element} }}");
        }

        return ApplyAsync(batch.ToString(), cancellation);
    }

    public async Task RemoveAllAsync(CancellationToken cancellation)
    {
        // "add" first so that deleting a table that is not there does not fail.
        await ApplyAsync($"add table inet {_table}\ndelete table inet {_table}\n", cancellation).ConfigureAwait(false);
    }

    /// <summary>The table as nft lists it, for status output and tests.</summary>
    public Task<string> ListAsync(CancellationToken cancellation) =>
        _runner.RunAsync("nft", ["list", "table", "inet", _table], null, cancellation);

    private IEnumerable<(string Set, string Element)> Elements(FirewallBlock block)
    {
        // Addresses are formatted from parsed values: nothing from the wire reaches the command.
        var family = block.IsV4 ? "4" : "6";
        if (block.Scope == BlockScope.Pair && block.Peer is { } peer)
        {
            yield return ($"pair{family}", $"{block.Address} . {peer}");
            yield return ($"pair{family}", $"{peer} . {block.Address}");
        }
        else
        {
            yield return ($"addr{family}", block.Address.ToString());
        }
    }

    private Task ApplyAsync(string batch, CancellationToken cancellation) => _runner.RunAsync("nft", ["-f", "-"], batch, cancellation);
}
