namespace TunnelGuard.Cli;

internal static class Program
{
    public static int Main(string[] args) => TunnelGuardCommandLine.Run(args, CliConsole.System());
}
