using System.Globalization;

namespace TunnelGuard.Enforcement;

/// <summary>
/// The fallback where nft is missing: ipset sets with per-entry timeouts and a TUNNELGUARD chain that iptables and
/// ip6tables jump to from INPUT, FORWARD and OUTPUT. Every command is an argument list, never a shell line.
/// Pair blocks are plain rules in the chain (ipset's hash:net,net is missing from many kernels, this one's too), so
/// they have no kernel timeout: whoever keeps the blocks removes them when they expire.
/// </summary>
public sealed class IptablesFirewall : IFirewall
{
    private const string Chain = "TUNNELGUARD";
    private static readonly string[] Hooks = ["INPUT", "FORWARD", "OUTPUT"];

    private readonly CommandRunner _runner;

    public IptablesFirewall(CommandRunner? runner = null) => _runner = runner ?? new CommandRunner();

    public string Name => "iptables";

    public async Task EnsureReadyAsync(CancellationToken cancellation)
    {
        foreach (var (tool, family) in new[] { ("iptables", "inet"), ("ip6tables", "inet6") })
        {
            var v = family == "inet" ? "4" : "6";
            await Ipset(cancellation, "create", $"tunnelguard{v}", "hash:ip", "family", family, "timeout", "0", "-exist").ConfigureAwait(false);
            if (!await Succeeds(tool, cancellation, "-n", "-L", Chain).ConfigureAwait(false))
            {
                await _runner.RunAsync(tool, ["-N", Chain], null, cancellation).ConfigureAwait(false);
            }

            // Keep pair rules across a restart; only the set-matching rules are rebuilt.
            foreach (var direction in new[] { "src", "dst" })
            {
                while (await Succeeds(tool, cancellation, "-D", Chain, "-m", "set", "--match-set", $"tunnelguard{v}", direction, "-j", "DROP").ConfigureAwait(false))
                {
                }
            }

            foreach (var args in new[]
            {
                new[] { "-A", Chain, "-m", "set", "--match-set", $"tunnelguard{v}", "src", "-j", "DROP" },
                ["-A", Chain, "-m", "set", "--match-set", $"tunnelguard{v}", "dst", "-j", "DROP"],
            })
            {
                await _runner.RunAsync(tool, args, null, cancellation).ConfigureAwait(false);
            }

            foreach (var hook in Hooks)
            {
                if (!await Succeeds(tool, cancellation, "-C", hook, "-j", Chain).ConfigureAwait(false))
                {
                    await _runner.RunAsync(tool, ["-I", hook, "1", "-j", Chain], null, cancellation).ConfigureAwait(false);
                }
            }
        }
    }

    public async Task BlockAsync(FirewallBlock block, CancellationToken cancellation)
    {
        block.Validate();
        if (block.Scope == BlockScope.Pair && block.Peer is { } peer)
        {
            foreach (var rule in PairRules(block.Address, peer))
            {
                if (!await Succeeds(Tool(block), cancellation, ["-C", .. rule]).ConfigureAwait(false))
                {
                    await _runner.RunAsync(Tool(block), ["-I", .. rule], null, cancellation).ConfigureAwait(false);
                }
            }

            return;
        }

        // -exist with a timeout renews an entry that is already there.
        await Ipset(cancellation, "add", Set(block), block.Address.ToString(), "timeout", block.Seconds.ToString(CultureInfo.InvariantCulture), "-exist").ConfigureAwait(false);
    }

    public async Task UnblockAsync(FirewallBlock block, CancellationToken cancellation)
    {
        if (block.Scope == BlockScope.Pair && block.Peer is { } peer)
        {
            foreach (var rule in PairRules(block.Address, peer))
            {
                while (await Succeeds(Tool(block), cancellation, ["-D", .. rule]).ConfigureAwait(false))
                {
                }
            }

            return;
        }

        await Ipset(cancellation, "del", Set(block), block.Address.ToString(), "-exist").ConfigureAwait(false);
    }

    public async Task RemoveAllAsync(CancellationToken cancellation)
    {
        foreach (var (tool, v) in new[] { ("iptables", "4"), ("ip6tables", "6") })
        {
            foreach (var hook in Hooks)
            {
                while (await Succeeds(tool, cancellation, "-D", hook, "-j", Chain).ConfigureAwait(false))
                {
                }
            }

            await Succeeds(tool, cancellation, "-F", Chain).ConfigureAwait(false);
            await Succeeds(tool, cancellation, "-X", Chain).ConfigureAwait(false);
            await Succeeds("ipset", cancellation, "destroy", $"tunnelguard{v}").ConfigureAwait(false);
        }
    }

    private static string Tool(FirewallBlock block) => block.IsV4 ? "iptables" : "ip6tables";

    private static string Set(FirewallBlock block) => block.IsV4 ? "tunnelguard4" : "tunnelguard6";

    private static IEnumerable<string[]> PairRules(Decoding.IpAddress a, Decoding.IpAddress b)
    {
        yield return [Chain, "-s", a.ToString(), "-d", b.ToString(), "-j", "DROP"];
        yield return [Chain, "-s", b.ToString(), "-d", a.ToString(), "-j", "DROP"];
    }

    private Task<string> Ipset(CancellationToken cancellation, params string[] args) => _runner.RunAsync("ipset", args, null, cancellation);

    private async Task<bool> Succeeds(string tool, CancellationToken cancellation, params string[] args)
    {
        try
        {
            await _runner.RunAsync(tool, args, null, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (FirewallException)
        {
            return false;
        }
    }
}
