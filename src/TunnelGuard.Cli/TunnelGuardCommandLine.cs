using System.CommandLine;
using TunnelGuard.Cli.Commands;

namespace TunnelGuard.Cli;

/// <summary>Builds the `tunnelguard` command tree and maps parse errors to exit code 2.</summary>
internal static class TunnelGuardCommandLine
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("TunnelGuard: finds SSH tunnels by the shape of their traffic and stops the ones that are not allowed.");
        root.Subcommands.Add(TunnelCommand.Create());
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine($"tunnelguard: {error.Message}");
            }

            return ExitCodes.Usage;
        }

        return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
