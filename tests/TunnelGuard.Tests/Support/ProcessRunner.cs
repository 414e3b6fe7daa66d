using System.Diagnostics;

namespace TunnelGuard.Tests.Support;

/// <summary>Runs an external tool (tshark, editcap) and returns its output; a failure fails the test with its stderr.</summary>
internal static class ProcessRunner
{
    public static string Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = Execute(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {code}: {stderr}");
        }

        return stdout;
    }

    /// <summary>Runs a tool that may fail; its exit code and standard output.</summary>
    public static (int ExitCode, string Output) TryRun(string file, params string[] args)
    {
        var (code, stdout, _) = Execute(file, args);
        return (code, stdout);
    }

    private static (int ExitCode, string Stdout, string Stderr) Execute(string file, string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Reads lines until one contains <paramref name="text"/>; fails the test after 20 s.</summary>
    public static void WaitForLine(StreamReader reader, string text)
    {
        var read = Task.Run(() =>
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        });
        Assert.True(read.Wait(TimeSpan.FromSeconds(20)) && read.Result, $"never saw '{text}'");
    }

    /// <summary>Sends SIGINT to a process (by its PID), as Ctrl+C would: the monitor then drains and reports.</summary>
    public static void Interrupt(Process process) => Run("kill", "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
