using System.CommandLine;
using TunnelGuard.Cli.Commands;

namespace TunnelGuard.Cli;

/// <summary>Builds the `tunnelguard` command tree; parse errors exit with code 2, a one-line message per error.</summary>
internal static class TunnelGuardCommandLine
{
    /// <summary>The subcommands, each under the name it is run by.</summary>
    internal static readonly (string Name, Func<CliConsole, Command> Create)[] Commands =
    [
        ("replay", ReplayCommand.Create),
        ("monitor", MonitorCommand.Create),
        ("train", TrainCommand.Create),
        ("eval", EvalCommand.Create),
        ("corpus", CorpusCommand.Create),
        ("rules", RulesCommand.Create),
        ("alerts", console => AlertsCommand.Create(console)),
        ("blocks", console => BlocksCommand.Create(console)),
        ("tunnel", _ => TunnelCommand.Create()),
        ("lab", _ => LabCommand.Create()),
    ];

    public static int Run(string[] args, CliConsole console)
    {
        var root = new RootCommand("TunnelGuard: finds SSH tunnels by the shape of their traffic and stops the ones that are not allowed.");
        // Only the command that is run is built when the first argument names it: the others' options are dozens of
        // generic instantiations to construct (and partly to compile) before a replay can start (~8 ms of CPU). A first
        // argument that is no command name (--help, --version, a typo) gets the whole tree, for its help and suggestions.
        var named = args.Length > 0 && Array.Exists(Commands, c => c.Name == args[0]);
        foreach (var (name, create) in Commands)
        {
            if (!named || name == args[0])
            {
                root.Subcommands.Add(create(console));
            }
        }

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
