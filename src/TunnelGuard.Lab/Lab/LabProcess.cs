using System.Diagnostics;
using System.Globalization;

namespace TunnelGuard.Lab.Lab;

/// <summary>
/// A program started inside a lab namespace in its own session (so a Ctrl+C at the terminal reaches only the lab
/// command, which then cleans up), with stdout and stderr appended to a log file. Ended by PID, never by name.
/// </summary>
public sealed class LabProcess : IDisposable
{
    private readonly Process _process;

    private LabProcess(string name, string ns, string logPath, Process process)
    {
        Name = name;
        Namespace = ns;
        LogPath = logPath;
        _process = process;
    }

    public string Name { get; }

    public string Namespace { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="args"/> in namespace <paramref name="ns"/>; `setsid` and `sh -c exec` keep the PID that of the program itself.</summary>
    public static LabProcess Start(string name, string ns, string logDirectory, IReadOnlyList<string> args)
    {
        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, name + ".log");
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in (string[])["sh", "-c", "exec \"$@\" >>\"$LAB_LOG\" 2>&1 </dev/null", "sh", "ip", "netns", "exec", ns, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LAB_LOG"] = logPath;
        var process = Process.Start(start) ?? throw new LabException($"cannot start {name}");
        return new LabProcess(name, ns, logPath, process);
    }

    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

    /// <summary>Waits for the program to exit; false on timeout (the program keeps running).</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, INT), waits up to <paramref name="grace"/>, then KILL.</summary>
    public async Task StopAsync(string signal = "TERM", TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signal(Pid, signal);
        if (!await WaitAsync(grace ?? TimeSpan.FromSeconds(3), CancellationToken.None).ConfigureAwait(false))
        {
            Signal(Pid, "KILL");
            await WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a signal to one process by PID; a process that is already gone is not an error.</summary>
    public static void Signal(int pid, string signal) =>
        HostCommand.TryRun("kill", "-" + signal, pid.ToString(CultureInfo.InvariantCulture));

    public void Dispose() => _process.Dispose();
}
