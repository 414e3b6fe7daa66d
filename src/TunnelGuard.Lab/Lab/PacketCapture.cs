namespace TunnelGuard.Lab.Lab;

/// <summary>
/// tcpdump on the switch's bridge (it sees every frame of the outside segment: client, jump host and SSH server),
/// started and stopped the way that loses nothing: wait for "listening on" before traffic, SIGINT after the last FIN.
/// </summary>
public sealed class PacketCapture : IAsyncDisposable
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(700);

    private readonly LabProcess _tcpdump;

    private PacketCapture(LabProcess tcpdump, string path)
    {
        _tcpdump = tcpdump;
        Path = path;
    }

    public string Path { get; }

    public static async Task<PacketCapture> StartAsync(string path, string logDirectory, CancellationToken cancellationToken)
    {
        // -Z root: tcpdump would otherwise drop to user tcpdump, who cannot write into root's run directory.
        // --immediate-mode: without it packets wait in a TPACKET_V3 block for up to a second, and those of the last
        // second are lost at SIGINT ("272 received by filter", "110 captured").
        var tcpdump = LabProcess.Start("tcpdump", LabTopology.Switch, logDirectory, ["tcpdump", "-i", LabTopology.Bridge, "-n", "-U", "--immediate-mode", "-s", "0", "-Z", "root", "-w", path, "tcp"]);
        var capture = new PacketCapture(tcpdump, path);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!tcpdump.ReadLog().Contains("listening on", StringComparison.Ordinal))
        {
            if (tcpdump.HasExited || DateTime.UtcNow > deadline)
            {
                var log = tcpdump.ReadLog();
                await capture.DisposeAsync().ConfigureAwait(false);
                throw new LabException($"tcpdump did not start: {log.Trim()}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        return capture;
    }

    /// <summary>Lets trailing FIN/ACKs land, then stops tcpdump with SIGINT so it flushes the file.</summary>
    public async Task StopAsync()
    {
        if (!_tcpdump.HasExited)
        {
            await Task.Delay(Linger).ConfigureAwait(false);
            await _tcpdump.StopAsync("INT", TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
    }

    /// <summary>tcpdump's own summary: packets captured, received and dropped by the kernel.</summary>
    public string Summary => string.Join(", ", _tcpdump.ReadLog().Split('\n').Where(l => l.Contains("packets", StringComparison.Ordinal)).Select(l => l.Trim()));

    /// <summary>Fails unless tcpdump wrote every packet its filter took and the kernel dropped none.</summary>
    public void EnsureComplete()
    {
        long Count(string what)
        {
            var line = _tcpdump.ReadLog().Split('\n').FirstOrDefault(l => l.Contains(what, StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line.Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        var captured = Count("packets captured");
        var received = Count("packets received by filter");
        var dropped = Count("packets dropped by kernel");
        if (captured < 0 || captured < received || dropped > 0)
        {
            throw new LabException($"capture incomplete: {Summary}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _tcpdump.Dispose();
    }
}
