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
        var tcpdump = LabProcess.Start("tcpdump", LabTopology.Switch, logDirectory, ["tcpdump", "-i", LabTopology.Bridge, "-n", "-U", "-s", "0", "-Z", "root", "-w", path, "tcp"]);
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _tcpdump.Dispose();
    }
}
