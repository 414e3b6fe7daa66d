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

    /// <summary>
    /// Waits up to <paramref name="within"/> for a stretch of <paramref name="quiet"/> with no new line. A blocked
    /// session falls silent (lines sent before the block may still trickle in on a loaded machine); one that still
    /// flows prints ten lines a second and never does.
    /// </summary>
    public bool FallsSilent(TimeSpan quiet, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var last = Ticks;
        var lastChange = clock.Elapsed;
        while (clock.Elapsed < within)
        {
            Thread.Sleep(100);
            var now = Ticks;
            if (now != last)
            {
                last = now;
                lastChange = clock.Elapsed;
            }
            else if (clock.Elapsed - lastChange >= quiet)
            {
                return true;
            }
        }

        return false;
    }
}
