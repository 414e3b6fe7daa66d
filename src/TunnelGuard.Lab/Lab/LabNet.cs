namespace TunnelGuard.Lab.Lab;

/// <summary>Small network chores inside namespaces: offload switches and waiting for a listener.</summary>
public static class LabNet
{
    /// <summary>Offloads off gives wire-sized frames (MSS 1448 on a 1500 MTU veth); on keeps TSO/GSO/GRO super-segments.</summary>
    public static void SetOffloads(string ns, string device, bool on)
    {
        var mode = on ? "on" : "off";
        HostCommand.TryRun("ip", "netns", "exec", ns, "ethtool", "-K", device, "tso", mode, "gso", mode, "gro", mode, "tx", mode, "rx", mode);
    }

    /// <summary>Waits until something listens on TCP <paramref name="port"/> in <paramref name="ns"/>.</summary>
    public static async Task WaitListeningAsync(string ns, int port, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var (code, output) = HostCommand.TryRun("ip", "netns", "exec", ns, "ss", "-Hltn", $"( sport = :{port} )");
            if (code == 0 && output.Trim().Length > 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"nothing listens on port {port} in {ns}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
