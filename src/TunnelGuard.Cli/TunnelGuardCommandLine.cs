using System.CommandLine;
using TunnelGuard.Cli.Commands;

namespace TunnelGuard.Cli;

/// <summary>Builds the `tunnelguard` command tree; parse errors exit with code 2, a one-line message per error.</summary>
internal static class TunnelGuardCommandLine
{
    public static int Run(string[] args, CliConsole console)
    {
        var root = new RootCommand("TunnelGuard: finds SSH tunnels by the shape of their traffic and stops the ones that are not allowed.");
        root.Subcommands.Add(ReplayCommand.Create(console));
        root.Subcommands.Add(MonitorCommand.Create(console));
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(EvalCommand.Create(console));
        root.Subcommands.Add(CorpusCommand.Create(console));
        root.Subcommands.Add(RulesCommand.Create(console));
        root.Subcommands.Add(AlertsCommand.Create(console));
        root.Subcommands.Add(BlocksCommand.Create(console));
        root.Subcommands.Add(TunnelCommand.Create());
        root.Subcommands.Add(LabCommand.Create());

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                console.Error.WriteLine($"tunnelguard: {error.Message}");
            }

            console.Error.WriteLine("Run 'tunnelguard --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return result.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("TUNNELGUARD_DEBUG") is null)
        {
            // A bug, not bad input: say so in one line; TUNNELGUARD_DEBUG=1 shows the stack trace.
            console.Error.WriteLine($"tunnelguard: internal error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
