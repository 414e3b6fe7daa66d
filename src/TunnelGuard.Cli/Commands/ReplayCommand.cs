using System.CommandLine;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Flows;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard replay PATH...`: reads captures and reports every SSH connection in them.</summary>
internal static class ReplayCommand
{
    public static Command Create(CliConsole console)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "pcap or pcapng files, or folders searched for *.pcap, *.pcapng and *.cap",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string?>("--format", "-f")
        {
            Description = "table or jsonl (default: table on a terminal, jsonl otherwise)",
        };
        format.AcceptOnlyFromAmong("table", "jsonl");
        var output = new Option<string?>("--output", "-o") { Description = "write the report to FILE instead of standard output" };
        var allFlows = new Option<bool>("--all-flows") { Description = "also report TCP flows that are not SSH (event_type \"flow\")" };
        var model = new Option<string?>("--model") { Description = "shape model file (default: the shipped model; without one, the heuristics)" };
        var heuristics = new Option<bool>("--heuristics") { Description = "classify with the explainable heuristics alone" };
        var expect = new Option<string?>("--expect") { Description = "check the reports against a corpus manifest; exit 1 and list each mismatch" };
        var rules = new Option<string?>("--rules") { HelpName = "DIR", Description = "evaluate a policy (folder of rule files) and add \"event_type\":\"alert\" lines (docs/rules.md)" };
        var alertsDb = new Option<string?>("--alerts-db") { HelpName = "FILE", Description = "with --rules: also store the alerts in this SQLite file" };
        var syslog = new Option<string?>("--syslog") { HelpName = "URL", Description = "with --rules: also send the alerts as RFC 5424 syslog to udp://HOST[:PORT] or tcp://HOST[:PORT] (port 514 by default)" };

        var maxFlows = new Option<int?>("--max-flows")
        {
            HelpName = "N",
            Description = $"bound of the flow table (default {new FlowTableOptions().MaxFlows:N0}), shared equally by the --threads tables; when one is full, its closed flows are evicted first, then unanswered ones, then the idlest",
        };
        maxFlows.Validators.Add(result =>
        {
            if (OptionValue.TryGet<int?>(result, out var value) && value is { } n && (n < FlowTableOptions.MinMaxFlows || n > FlowTableOptions.MaxMaxFlows))
            {
                result.AddError($"--max-flows must be between {FlowTableOptions.MinMaxFlows} and {FlowTableOptions.MaxMaxFlows:N0}, not {n}");
            }
        });
        var threads = new Option<int>("--threads")
        {
            HelpName = "N",
            DefaultValueFactory = _ => ReplayOptions.DefaultThreads,
            Description = $"pipeline threads, each with its own flow table for its share of the flows (default {ReplayOptions.DefaultThreads}, whatever the machine; 1 = no extra thread). The reports are the same for any N as long as no table reaches its bound (--max-flows / N) and packet timestamps never go backwards",
        };
        threads.Validators.Add(result =>
        {
            if (OptionValue.TryGet<int>(result, out var n) && (n < 1 || n > ReplayOptions.MaxThreads))
            {
                result.AddError($"--threads must be between 1 and {ReplayOptions.MaxThreads}, not {n}");
            }
        });
        var stats = new Option<bool>("--stats") { Description = "end with one line on standard error: packets, packets/s, flows, peak table size, evictions" };

        var command = new Command("replay", "Replay capture files through the pipeline and report each SSH connection.")
        {
            paths, format, output, allFlows, expect, model, heuristics, rules, alertsDb, syslog, maxFlows, threads, stats,
        };
        command.SetAction(parse =>
        {
            var options = new ReplayOptions(
                parse.GetValue(paths) ?? [],
                parse.GetValue(format),
                parse.GetValue(output),
                parse.GetValue(allFlows),
                parse.GetValue(expect),
                parse.GetValue(model),
                parse.GetValue(heuristics),
                parse.GetValue(rules),
                parse.GetValue(alertsDb),
                parse.GetValue(syslog),
                parse.GetValue(maxFlows),
                parse.GetValue(stats),
                parse.GetValue(threads));
            return new ReplayRunner(console).Run(options);
        });
        return command;
    }
}
