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

        var command = new Command("monitor", "Capture live from interfaces and report each SSH connection as it ends.")
        {
            interfaces, filter, format, output, allFlows, duration,
        };
        command.SetAction(parse => new MonitorRunner(console).Run(new MonitorOptions(
            parse.GetValue(interfaces) ?? [],
            parse.GetValue(filter) ?? "tcp",
            parse.GetValue(format),
            parse.GetValue(output),
            parse.GetValue(allFlows),
            parse.GetValue(duration))));
        return command;
    }
}
