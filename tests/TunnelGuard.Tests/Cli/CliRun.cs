using TunnelGuard.Cli;

namespace TunnelGuard.Tests.Cli;

/// <summary>Runs the real command line in-process with captured output, as a harness would see it.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = TunnelGuardCommandLine.Run(args, new CliConsole(stdout, stderr, false, false));
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
