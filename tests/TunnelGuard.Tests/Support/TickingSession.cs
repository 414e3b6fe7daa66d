using System.Diagnostics;

namespace TunnelGuard.Tests.Support;

/// <summary>An OpenSSH session from the client namespace that prints a line every 0.1 s, counting the lines that arrive.</summary>
internal sealed class TickingSession
{
    private int _ticks;

    public TickingSession(NetnsSshd host)
    {
        var ssh = host.SshArguments();
        Process = host.StartOnClient(ssh[0], [.. ssh[1..], "while true; do echo tick; sleep 0.1; done"]);
        _ = Task.Run(() =>
        {
            while (Process.StandardOutput.ReadLine() is not null)
            {
                Interlocked.Increment(ref _ticks);
            }
        });
    }

    /// <summary>The session's process; the host kills it on dispose.</summary>
    public Process Process { get; }

    public int Ticks => Volatile.Read(ref _ticks);
}
