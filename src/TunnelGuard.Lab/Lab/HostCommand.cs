using System.Diagnostics;
using System.Text;

namespace TunnelGuard.Lab.Lab;

/// <summary>Runs short system commands (ip, ethtool, ssh-keygen, tshark) to completion and fails loudly with their output; the integration tests use it too.</summary>
internal static class HostCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string Run(string file, params string[] args)
    {
        var (code, output) = TryRun(file, args);
        return code == 0 ? output : throw new LabException($"{file} {string.Join(' ', args)} exited {code}: {output.Trim()}");
    }

    /// <summary>Runs a command inside a namespace with <c>ip netns exec</c>.</summary>
    public static string RunIn(string ns, string file, params string[] args) => Run("ip", ["netns", "exec", ns, file, .. args]);

    public static (int ExitCode, string Output) TryRun(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new LabException($"cannot start {file}");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new LabException($"{file} {string.Join(' ', args)} did not finish in {Timeout.TotalSeconds} s");
        }

        var output = new StringBuilder(stdout.GetAwaiter().GetResult()).Append(stderr.GetAwaiter().GetResult()).ToString();
        return (process.ExitCode, output);
    }
}
