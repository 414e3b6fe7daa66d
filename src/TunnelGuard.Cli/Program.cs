namespace TunnelGuard.Cli;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["replay", ..])
        {
            Replay.ReplayWarmUp.Start();
        }

        return TunnelGuardCommandLine.Run(args, CliConsole.System());
    }
}
