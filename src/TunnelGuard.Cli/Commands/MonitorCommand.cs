using System.CommandLine;
using TunnelGuard.Cli.Monitor;

namespace TunnelGuard.Cli.Commands;

/// <summary>
/// `tunnelguard monitor -i IFACE`: watches live traffic and reports every SSH connection. Flags override the
/// configuration file and environment, so they carry no defaults of their own: the defaults live in
/// <see cref="MonitorSettings"/>.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create(CliConsole console)
    {
        var interfaces = new Option<string[]>("--interface", "-i") { Description = "interface to capture on (repeat for several; 'any' for all)" };
        var config = new Option<string?>("--config") { HelpName = "FILE", Description = $"settings file (default: {MonitorConfiguration.SystemFile} if it exists)" };
        var filter = new Option<string?>("--filter") { Description = "kernel BPF filter (default: 'tcp or vlan')" };
        var blockTimeout = new Option<int?>("--block-timeout")
        {
            HelpName = "MS",
            Description = "1-1000: libpcap TPACKET_V3 blocks, handed over within MS ms (default 10: a ring that holds far more frames, so bursts are not dropped); 0: immediate mode, each frame as it arrives",
        };
        var format = new Option<string?>("--format", "-f") { Description = "table or jsonl (default: table on a terminal, jsonl otherwise)" };
        format.AcceptOnlyFromAmong("table", "jsonl");
        var output = new Option<string?>("--output", "-o") { Description = "append reports to FILE instead of standard output" };
        var allFlows = new Option<bool>("--all-flows") { Description = "also report TCP flows that are not SSH" };
        var duration = new Option<double?>("--duration") { Description = "stop after SECONDS (default: until Ctrl+C or SIGTERM)" };
        duration.Validators.Add(result =>
        {
            if (OptionValue.TryGet<double?>(result, out var seconds) && seconds is <= 0)
            {
                result.AddError("--duration must be a positive number of seconds");
            }
        });

        var model = new Option<string?>("--model") { Description = "shape model file (default: the shipped model; without one, the heuristics)" };
        var heuristics = new Option<bool>("--heuristics") { Description = "classify with the explainable heuristics alone" };
        var metrics = new Option<string?>("--metrics") { Description = "serve Prometheus metrics on HOST:PORT, or 'off' (default: 127.0.0.1:9464)" };
        var rules = new Option<string?>("--rules") { HelpName = "DIR", Description = "evaluate this policy on every verdict change and at each connection's end; reloaded when its files change" };
        var db = new Option<string?>("--db", "--alerts-db") { HelpName = "FILE", Description = $"SQLite store of alerts and blocks (default: {MonitorSettings.DefaultDatabase})" };
        var syslog = new Option<string?>("--syslog") { HelpName = "URL", Description = "with --rules: also send alerts as RFC 5424 syslog to udp://HOST[:PORT] or tcp://HOST[:PORT]" };
        var maxFlows = new Option<int?>("--max-flows") { HelpName = "N", Description = "bound of the flow table (default: 262,144)" };
        var enforce = new Option<bool>("--enforce") { Description = "carry out the policy's blocks in the host firewall" };
        var dryRun = new Option<bool>("--dry-run") { Description = "say which blocks --enforce would make, change nothing" };
        var firewall = new Option<string?>("--firewall") { Description = "auto, nftables or iptables (default: auto)" };
        firewall.AcceptOnlyFromAmong("auto", "nftables", "iptables");
        var ignore = new Option<string[]>("--ignore") { HelpName = "CIDR", Description = "never block addresses in this network (repeat; loopback and own addresses always)" };
        var command = new Command("monitor", "Capture live from interfaces, report each SSH connection, raise alerts and enforce blocks.")
        {
            interfaces, config, filter, blockTimeout, format, output, allFlows, duration, model, heuristics, metrics, rules, db, syslog, maxFlows, enforce, dryRun, firewall, ignore,
        };
        command.SetAction(parse => new MonitorRunner(console).Run(parse.GetValue(config), settings =>
        {
            if (parse.GetValue(interfaces) is { Length: > 0 } given)
            {
                settings.Interfaces = [.. given];
            }

            settings.Filter = parse.GetValue(filter) ?? settings.Filter;
            settings.CaptureBlockTimeoutMilliseconds = parse.GetValue(blockTimeout) ?? settings.CaptureBlockTimeoutMilliseconds;
            settings.Format = parse.GetValue(format) ?? settings.Format;
            settings.Output = parse.GetValue(output) ?? settings.Output;
            settings.AllFlows |= parse.GetValue(allFlows);
            settings.DurationSeconds = parse.GetValue(duration) ?? settings.DurationSeconds;
            settings.Model = parse.GetValue(model) ?? settings.Model;
            settings.Heuristics |= parse.GetValue(heuristics);
            settings.Metrics = parse.GetValue(metrics) ?? settings.Metrics;
            settings.Rules = parse.GetValue(rules) ?? settings.Rules;
            settings.Database = parse.GetValue(db) ?? settings.Database;
            settings.Syslog = parse.GetValue(syslog) ?? settings.Syslog;
            if (parse.GetValue(maxFlows) is { } bound)
            {
                settings.FlowTable.MaxFlows = bound;
            }

            settings.Enforce |= parse.GetValue(enforce);
            settings.DryRun |= parse.GetValue(dryRun);
            settings.Firewall = parse.GetValue(firewall) ?? settings.Firewall;
            if (parse.GetValue(ignore) is { Length: > 0 } networks)
            {
                settings.Enforcement.IgnoreNetworks = [.. networks];
            }
        }));
        return command;
    }
}
