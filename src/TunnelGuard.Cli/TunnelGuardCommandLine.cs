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

        return result.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
    }
}
