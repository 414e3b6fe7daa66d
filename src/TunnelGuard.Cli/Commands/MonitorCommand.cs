using System.CommandLine;
using TunnelGuard.Cli.Monitor;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard monitor -i IFACE`: watches live traffic and reports every SSH connection.</summary>
internal static class MonitorCommand
{
    public static Command Create(CliConsole console)
    {
        var interfaces = new Option<string[]>("--interface", "-i")
        {
            Description = "interface to capture on (repeat for several; 'any' for all)",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var filter = new Option<string>("--filter") { Description = "kernel BPF filter", DefaultValueFactory = _ => "tcp" };
        var format = new Option<string?>("--format", "-f") { Description = "table or jsonl (default: table on a terminal, jsonl otherwise)" };
        format.AcceptOnlyFromAmong("table", "jsonl");
        var output = new Option<string?>("--output", "-o") { Description = "append reports to FILE instead of standard output" };
        var allFlows = new Option<bool>("--all-flows") { Description = "also report TCP flows that are not SSH" };
        var duration = new Option<double?>("--duration") { Description = "stop after SECONDS (default: until Ctrl+C or SIGTERM)" };
        duration.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is <= 0)
            {
                result.AddError("--duration must be a positive number of seconds");
            }
        });

        var model = new Option<string?>("--model") { Description = "shape model file (default: the shipped model; without one, the heuristics)" };
        var heuristics = new Option<bool>("--heuristics") { Description = "classify with the explainable heuristics alone" };
        var metrics = new Option<string>("--metrics")
        {
            Description = "serve Prometheus metrics on HOST:PORT ('off' to disable)",
            DefaultValueFactory = _ => "127.0.0.1:9464",
        };
        var rules = new Option<string?>("--rules") { HelpName = "DIR", Description = "evaluate this policy on every verdict change and at each connection's end" };
        var alertsDb = new Option<string?>("--alerts-db") { HelpName = "FILE", Description = "with --rules: store alerts in this SQLite file" };
        var enforce = new Option<bool>("--enforce") { Description = "carry out the policy's blocks in the host firewall" };
        var dryRun = new Option<bool>("--dry-run") { Description = "say which blocks --enforce would make, change nothing" };
        var firewall = new Option<string>("--firewall") { Description = "auto, nftables or iptables", DefaultValueFactory = _ => "auto" };
        firewall.AcceptOnlyFromAmong("auto", "nftables", "iptables");
        var ignore = new Option<string[]>("--ignore") { HelpName = "CIDR", Description = "never block addresses in this network (repeat; loopback and own addresses always)" };
        var command = new Command("monitor", "Capture live from interfaces and report each SSH connection as it ends.")
        {
            interfaces, filter, format, output, allFlows, duration, model, heuristics, metrics, rules, alertsDb, enforce, dryRun, firewall, ignore,
        };
        command.SetAction(parse => new MonitorRunner(console).Run(new MonitorOptions(
            parse.GetValue(interfaces) ?? [],
            parse.GetValue(filter) ?? "tcp",
            parse.GetValue(format),
            parse.GetValue(output),
            parse.GetValue(allFlows),
            parse.GetValue(duration),
            parse.GetValue(model),
            parse.GetValue(heuristics),
            parse.GetValue(metrics),
            parse.GetValue(rules),
            parse.GetValue(alertsDb),
            parse.GetValue(enforce),
            parse.GetValue(dryRun),
            parse.GetValue(firewall) ?? "auto",
            parse.GetValue(ignore))));
        return command;
    }
}
