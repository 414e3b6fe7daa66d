using System.Diagnostics;
using System.Text;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>Runs short system commands (ip, ssh-keygen) and fails loudly with their output.</summary>
internal static class Shell
{
    public static string Run(string file, params string[] args)
    {
        var (code, output) = TryRun(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {output}");
        }

        return output;
    }

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

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }

        var output = new StringBuilder(stdout).Append(stderr.GetAwaiter().GetResult()).ToString();
        return (process.ExitCode, output);
    }
}
