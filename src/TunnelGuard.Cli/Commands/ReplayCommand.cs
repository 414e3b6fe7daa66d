using System.CommandLine;
using TunnelGuard.Cli.Replay;

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
        var expect = new Option<string?>("--expect") { Description = "check the reports against a corpus manifest; exit 1 and list each mismatch" };

        var command = new Command("replay", "Replay capture files through the pipeline and report each SSH connection.")
        {
            paths, format, output, allFlows, expect,
        };
        command.SetAction(parse =>
        {
            var options = new ReplayOptions(
                parse.GetValue(paths) ?? [],
                parse.GetValue(format),
                parse.GetValue(output),
                parse.GetValue(allFlows),
                parse.GetValue(expect));
            return new ReplayRunner(console).Run(options);
        });
        return command;
    }
}
