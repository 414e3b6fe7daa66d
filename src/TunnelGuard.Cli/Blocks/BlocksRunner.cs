using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TunnelGuard.Cli.Alerts;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Decoding;
using TunnelGuard.Enforcement;
using TunnelGuard.Rules;

namespace TunnelGuard.Cli.Blocks;

/// <summary>
/// `tunnelguard blocks list|add|remove|audit` over the store a monitor keeps its blocks in, and the host firewall.
/// Manual blocks obey the same safety list as the monitor's (never loopback or this host's addresses); every change
/// is in the audit trail.
/// </summary>
internal sealed class BlocksRunner(CliConsole console, TimeProvider time)
{
    public int List(string? db, bool all, string? format) => WithStore(db, store =>
    {
        var now = NowMicros();
        var records = all ? store.All() : store.Active(now);
        if (format == "jsonl" || (format is null && !console.OutIsTerminal))
        {
            foreach (var record in records)
            {
                console.Out.WriteLine(ToJson(record, now));
            }

            return ExitCodes.Success;
        }

        if (records.Count == 0)
        {
            console.Out.WriteLine(all ? "no blocks recorded" : "no blocks in force");
            return ExitCodes.Success;
        }

        console.Out.WriteLine($"{"ID",5}  {"TARGET",-36} {"RULE",-24} {"EXPIRES (UTC)",-20} {"LEFT",8}  STATE");
        foreach (var record in records)
        {
            var left = record.IsActiveAt(now) ? DurationText.Format(TimeSpan.FromSeconds((record.ExpiresMicros - now) / 1_000_000)) : "-";
            var state = record.EndReason ?? (record.IsActiveAt(now) ? "active" : "due");
            console.Out.WriteLine($"{record.Id,5}  {record.Target,-36} {TerminalText.Safe(record.RuleId, 24),-24} {Time(record.ExpiresMicros),-20} {left,8}  {state}");
        }

        return ExitCodes.Success;
    });

    public int Add(string? db, string addressText, string? peerText, string durationText, string? reason, string firewallName)
    {
        if (!TryAddresses(addressText, peerText, out var address, out var peer))
        {
            return ExitCodes.BadInput;
        }

        if (!DurationText.TryParse(durationText, out var duration) || duration <= TimeSpan.Zero)
        {
            console.Error.WriteLine($"tunnelguard: --duration '{durationText}': expected {DurationText.Expected}, more than 0");
            return ExitCodes.BadInput;
        }

        var guard = new BlockGuard(new EnforcementOptions { MaxNewBlocksPerMinute = 100_000, EscalationFactor = 1 });
        var now = NowMicros();
        var decision = guard.Decide(address, duration.Value, now);
        if (!decision.Allowed)
        {
            console.Error.WriteLine($"tunnelguard: refusing to block {address}: {decision.Reason}");
            return ExitCodes.BadInput;
        }

        var block = peer is { } p ? new FirewallBlock(address, duration.Value, BlockScope.Pair, p) : new FirewallBlock(address, duration.Value);
        return WithStore(db, store => WithFirewall(firewallName, firewall =>
        {
            firewall.EnsureReadyAsync(CancellationToken.None).GetAwaiter().GetResult();
            firewall.BlockAsync(block, CancellationToken.None).GetAwaiter().GetResult();
            var record = store.Add(block, "manual", reason ?? $"added by {Environment.UserName}", 1, now);
            console.Out.WriteLine($"blocked {record.Target} for {DurationText.Format(duration.Value)} with {firewall.Name} (block {record.Id})");
            return ExitCodes.Success;
        }), create: true);
    }

    public int Remove(string? db, string addressText, string? peerText, string firewallName)
    {
        if (!TryAddresses(addressText, peerText, out var address, out var peer))
        {
            return ExitCodes.BadInput;
        }

        return WithStore(db, store => WithFirewall(firewallName, firewall =>
        {
            var now = NowMicros();
            var removed = store.Remove(address, peer, Environment.UserName, now);

            // Removed from the firewall whether or not the store knew it: an element left by a lost store goes too.
            var block = peer is { } p ? new FirewallBlock(address, TimeSpan.FromSeconds(1), BlockScope.Pair, p) : new FirewallBlock(address, TimeSpan.FromSeconds(1));
            firewall.EnsureReadyAsync(CancellationToken.None).GetAwaiter().GetResult();
            firewall.UnblockAsync(block, CancellationToken.None).GetAwaiter().GetResult();
            if (removed.Count == 0)
            {
                store.Audit(now, "unblock", peer is null ? address.ToString() : $"{address} <-> {peer}", null, $"removed by {Environment.UserName} (not in the store)");
                console.Out.WriteLine($"no recorded block of {addressText}{(peer is null ? string.Empty : " <-> " + peerText)}; removed from {firewall.Name} if it was there");
            }
            else
            {
                console.Out.WriteLine($"unblocked {removed[0].Target} in {firewall.Name}");
            }

            return ExitCodes.Success;
        }));
    }

    public int Audit(string? db, int limit, string? format) => WithStore(db, store =>
    {
        foreach (var entry in store.AuditTrail(limit).Reverse())
        {
            if (format == "jsonl" || (format is null && !console.OutIsTerminal))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["seq"] = entry.Sequence,
                    ["time"] = Time(entry.TimeMicros),
                    ["action"] = entry.Action,
                    ["target"] = entry.Target,
                    ["rule_id"] = entry.RuleId,
                    ["detail"] = entry.Detail,
                }));
            }
            else
            {
                console.Out.WriteLine($"{Time(entry.TimeMicros)}  {entry.Action,-8} {entry.Target ?? "-",-36} {TerminalText.Safe(entry.RuleId ?? "-", 24),-24} {TerminalText.Safe(entry.Detail, 120)}");
            }
        }

        return ExitCodes.Success;
    });

    private bool TryAddresses(string addressText, string? peerText, out IpAddress address, out IpAddress? peer)
    {
        address = default;
        peer = null;
        if (!System.Net.IPAddress.TryParse(addressText, out var ip))
        {
            console.Error.WriteLine($"tunnelguard: '{TerminalText.Safe(addressText, 60)}' is not an IP address");
            return false;
        }

        address = IpAddress.FromIPAddress(ip);
        if (peerText is null)
        {
            return true;
        }

        if (!System.Net.IPAddress.TryParse(peerText, out var peerIp) || IpAddress.FromIPAddress(peerIp).IsV4 != address.IsV4)
        {
            console.Error.WriteLine($"tunnelguard: --peer '{TerminalText.Safe(peerText, 60)}' is not an IP address of the same family as {address}");
            return false;
        }

        peer = IpAddress.FromIPAddress(peerIp);
        return true;
    }

    private int WithStore(string? db, Func<BlockStore, int> action, bool create = false)
    {
        var path = AlertsRunner.ResolveDb(db);
        if (!create && !File.Exists(path))
        {
            console.Error.WriteLine($"tunnelguard: {path}: no such store (a monitor with --enforce creates it; or give --db FILE)");
            return ExitCodes.BadInput;
        }

        try
        {
            using var store = BlockStore.Open(path);
            return action(store);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"tunnelguard: {path}: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }

    private int WithFirewall(string name, Func<IFirewall, int> action)
    {
        try
        {
            return action(FirewallFactory.Create(name));
        }
        catch (Exception ex) when (ex is FirewallException or ArgumentException)
        {
            console.Error.WriteLine($"tunnelguard: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    private static string ToJson(BlockRecord record, long now) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = record.Id,
        ["address"] = record.Address.ToString(),
        ["peer"] = record.Peer?.ToString(),
        ["rule_id"] = record.RuleId,
        ["reason"] = record.Reason,
        ["offence"] = record.Offence,
        ["created"] = Time(record.CreatedMicros),
        ["expires"] = Time(record.ExpiresMicros),
        ["active"] = record.IsActiveAt(now),
        ["ended"] = record.EndedMicros is { } ended ? Time(ended) : null,
        ["end_reason"] = record.EndReason,
    });

    private static string Time(long micros) =>
        DateTimeOffset.FromUnixTimeMilliseconds(micros / 1000).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private long NowMicros() => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
}
