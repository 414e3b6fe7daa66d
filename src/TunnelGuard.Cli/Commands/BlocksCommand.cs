using System.CommandLine;
using TunnelGuard.Cli.Alerts;
using TunnelGuard.Cli.Blocks;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard blocks list|add|remove|audit`: the blocks in force, manual changes, and the audit trail.</summary>
internal static class BlocksCommand
{
    public static Command Create(CliConsole console, TimeProvider? time = null)
    {
        var runner = new BlocksRunner(console, time ?? TimeProvider.System);
        var db = StoreOption.Create("the store the monitor keeps blocks in");
        var firewall = new Option<string>("--firewall") { Description = "auto, nftables, iptables or dry-run", DefaultValueFactory = _ => "auto", Recursive = true };
        firewall.AcceptOnlyFromAmong("auto", "nftables", "iptables", "dry-run");
        var format = new Option<string?>("--format", "-f") { Description = "table or jsonl (default: table on a terminal, jsonl otherwise)", Recursive = true };
        format.AcceptOnlyFromAmong("table", "jsonl");
        var command = new Command("blocks", "List, add and remove firewall blocks; show the enforcement audit trail.") { db, firewall, format };

        var all = new Option<bool>("--all") { Description = "also blocks that expired or were removed" };
        var list = new Command("list", "Blocks in force (or all with --all).") { all };
        list.SetAction(p => runner.List(p.GetValue(db), p.GetValue(all), p.GetValue(format)));
        command.Subcommands.Add(list);

        var address = new Argument<string>("ADDRESS") { Description = "IPv4 or IPv6 address" };
        var peer = new Option<string?>("--peer") { HelpName = "ADDRESS", Description = "block only the traffic between ADDRESS and this peer" };
        var duration = new Option<string>("--duration") { Description = "how long (30m, 1h, 7d)", DefaultValueFactory = _ => "1h" };
        var reason = new Option<string?>("--reason") { HelpName = "TEXT", Description = "why, for the audit trail" };
        var add = new Command("add", "Block an address (or a pair) now, recorded like the monitor's blocks.") { address, peer, duration, reason };
        add.SetAction(p => runner.Add(p.GetValue(db), p.GetValue(address)!, p.GetValue(peer), p.GetValue(duration)!, p.GetValue(reason), p.GetValue(firewall)!));
        command.Subcommands.Add(add);

        var removeAddress = new Argument<string>("ADDRESS") { Description = "IPv4 or IPv6 address" };
        var removePeer = new Option<string?>("--peer") { HelpName = "ADDRESS", Description = "the pair's other address" };
        var remove = new Command("remove", "Lift a block now.") { removeAddress, removePeer };
        remove.SetAction(p => runner.Remove(p.GetValue(db), p.GetValue(removeAddress)!, p.GetValue(removePeer), p.GetValue(firewall)!));
        command.Subcommands.Add(remove);

        var limit = new Option<int>("--limit") { HelpName = "N", Description = "the last N entries", DefaultValueFactory = _ => 100 };
        var audit = new Command("audit", "The audit trail: every block, re-application, expiry, removal, refusal and firewall error.") { limit };
        audit.SetAction(p => runner.Audit(p.GetValue(db), p.GetValue(limit), p.GetValue(format)));
        command.Subcommands.Add(audit);
        return command;
    }
}
