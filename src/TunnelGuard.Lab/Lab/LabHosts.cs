using System.Globalization;
using System.Text;

namespace TunnelGuard.Lab.Lab;

/// <summary>
/// `lab up | down | status`: the namespaces, links, sshd and service processes of the lab, recorded in
/// <see cref="LabState"/> as they are made so that <see cref="Down"/> can undo a half-built or crashed lab.
/// </summary>
public static class LabHosts
{
    /// <summary>Whether a lab is up (state file present and its namespaces exist).</summary>
    public static bool IsUp => LabState.Load() is not null && ExistingNamespaces().Contains(LabTopology.Server);

    public static async Task<LabState> UpAsync(bool offloads, TextWriter log, CancellationToken cancellationToken)
    {
        if (LabState.Load() is not null || ExistingNamespaces().Count > 0)
        {
            throw new LabException("a lab is already up (or left over from a crash): run `tunnelguard lab down` first");
        }

        var state = new LabState { Offloads = offloads, Started = DateTimeOffset.UtcNow };
        state.Directories.Add(LabTopology.StateDirectory);
        state.Save();
        try
        {
            Directory.CreateDirectory("/run/sshd");
            CreateNetwork(state, offloads);
            log.WriteLine($"lab: namespaces {string.Join(' ', LabTopology.Namespaces)}, offloads {(offloads ? "on" : "off")}");
            LabKeys.Generate();
            Directory.CreateDirectory(LabPaths.Files);
            var server = SshdConfig.Write("srv", LabTopology.ServerAddress, "127.0.0.1", $"{LabTopology.ServerAddress}:{LabTopology.AlternateSshPort}");
            var jump = SshdConfig.Write("jmp", LabTopology.JumpAddress);
            var client = SshdConfig.Write("cli", "127.0.0.1");
            StartDaemon(state, "sshd-srv", LabTopology.Server, ["/usr/sbin/sshd", "-D", "-e", "-f", server]);
            StartDaemon(state, "sshd-jmp", LabTopology.Jump, ["/usr/sbin/sshd", "-D", "-e", "-f", jump]);
            StartDaemon(state, "sshd-cli", LabTopology.Client, ["/usr/sbin/sshd", "-D", "-e", "-f", client]);
            StartDaemon(state, "services-inn", LabTopology.Inner, SelfCommand.With("lab", "serve", "--bind", LabTopology.InnerAddress));
            StartDaemon(state, "services-cli", LabTopology.Client, SelfCommand.With("lab", "serve", "--bind", "127.0.0.1"));
            await LabNet.WaitListeningAsync(LabTopology.Server, LabTopology.SshPort, cancellationToken).ConfigureAwait(false);
            await LabNet.WaitListeningAsync(LabTopology.Jump, LabTopology.SshPort, cancellationToken).ConfigureAwait(false);
            await LabNet.WaitListeningAsync(LabTopology.Client, LabTopology.SshPort, cancellationToken).ConfigureAwait(false);
            foreach (var port in new[] { LabTopology.HttpPort, LabTopology.EchoPort, LabTopology.ChatPort, LabTopology.BulkPort })
            {
                await LabNet.WaitListeningAsync(LabTopology.Inner, port, cancellationToken).ConfigureAwait(false);
                await LabNet.WaitListeningAsync(LabTopology.Client, port, cancellationToken).ConfigureAwait(false);
            }

            log.WriteLine($"lab: sshd on {LabTopology.ServerAddress} (server), {LabTopology.JumpAddress} (jump), 127.0.0.1 in the client; services on {LabTopology.InnerAddress}");
            return state;
        }
        catch
        {
            Down(TextWriter.Null);
            throw;
        }
    }

    /// <summary>Removes everything a lab made: recorded processes by PID, any process left in a lab namespace by PID, the namespaces, the state directory.</summary>
    public static IReadOnlyList<string> Down(TextWriter log)
    {
        var removed = new List<string>();
        var state = LabState.Load();
        foreach (var process in state?.Processes ?? [])
        {
            LabProcess.Signal(process.Pid, "TERM");
        }

        foreach (var ns in ExistingNamespaces())
        {
            KillNamespaceProcesses(ns);
            HostCommand.TryRun("ip", "netns", "del", ns);
            removed.Add(ns);
        }

        foreach (var directory in state?.Directories ?? [LabTopology.StateDirectory])
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
                removed.Add(directory);
            }
        }

        if (Directory.Exists(LabTopology.StateDirectory))
        {
            Directory.Delete(LabTopology.StateDirectory, recursive: true);
        }

        log.WriteLine(removed.Count == 0 ? "lab: nothing to remove" : $"lab: removed {string.Join(' ', removed)}");
        return removed;
    }

    public static string Status()
    {
        var text = new StringBuilder();
        var state = LabState.Load();
        var namespaces = ExistingNamespaces();
        if (state is null && namespaces.Count == 0)
        {
            return "lab: down\n";
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"lab: {(state is null ? "namespaces without state (run lab down)" : "up since " + state.Started.ToString("u", CultureInfo.InvariantCulture))}, offloads {(state?.Offloads == true ? "on" : "off")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"namespaces: {string.Join(' ', namespaces)}");
        foreach (var process in state?.Processes ?? [])
        {
            var alive = Directory.Exists($"/proc/{process.Pid}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {process.Name,-14} pid {process.Pid,-7} in {process.Namespace,-10} {(alive ? "running" : "GONE")}");
        }

        return text.ToString();
    }

    /// <summary>Namespaces with the lab prefix that exist now.</summary>
    public static IReadOnlyList<string> ExistingNamespaces()
    {
        var (code, list) = HostCommand.TryRun("ip", "netns", "list");
        if (code != 0)
        {
            return [];
        }

        return [.. list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .Where(name => name.StartsWith(LabTopology.Prefix, StringComparison.Ordinal))];
    }

    /// <summary>PIDs of processes inside a namespace (`ip netns pids`).</summary>
    public static IReadOnlyList<int> NamespacePids(string ns)
    {
        var (code, pids) = HostCommand.TryRun("ip", "netns", "pids", ns);
        if (code != 0)
        {
            return [];
        }

        return [.. pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)];
    }

    private static void KillNamespaceProcesses(string ns)
    {
        var pids = NamespacePids(ns);
        foreach (var pid in pids)
        {
            LabProcess.Signal(pid, "TERM");
        }

        for (var i = 0; i < 20 && NamespacePids(ns).Count > 0; i++)
        {
            Thread.Sleep(100);
        }

        foreach (var pid in NamespacePids(ns))
        {
            LabProcess.Signal(pid, "KILL");
        }
    }

    private static void StartDaemon(LabState state, string name, string ns, IReadOnlyList<string> args)
    {
        using var process = LabProcess.Start(name, ns, LabPaths.Logs, args);
        state.Processes.Add(new LabStateProcess(name, ns, process.Pid));
        state.Save();
    }

    private static void CreateNetwork(LabState state, bool offloads)
    {
        foreach (var ns in LabTopology.Namespaces)
        {
            HostCommand.Run("ip", "netns", "add", ns);
            state.Namespaces.Add(ns);
            state.Save();

            // No IPv6 on the links: router solicitations and MLD reports would only be noise in the captures. lo keeps
            // ::1, which never reaches the bridge: plink (0.78) binds a loopback forward on 127.0.0.1 and ::1 and gives
            // up on both ("Cannot assign requested address") when ::1 is missing, even with -4.
            HostCommand.RunIn(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            HostCommand.RunIn(ns, "sysctl", "-qw", "net.ipv6.conf.lo.disable_ipv6=0");
            HostCommand.Run("ip", "-n", ns, "link", "set", "lo", "up");
        }

        HostCommand.Run("ip", "-n", LabTopology.Switch, "link", "add", LabTopology.Bridge, "type", "bridge");
        HostCommand.Run("ip", "-n", LabTopology.Switch, "link", "set", LabTopology.Bridge, "up");
        foreach (var (ns, address, port) in new[]
        {
            (LabTopology.Client, LabTopology.ClientAddress, "p-cli"),
            (LabTopology.Server, LabTopology.ServerAddress, "p-srv"),
            (LabTopology.Jump, LabTopology.JumpAddress, "p-jmp"),
        })
        {
            HostCommand.Run("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port, "netns", LabTopology.Switch);
            HostCommand.Run("ip", "-n", LabTopology.Switch, "link", "set", port, "master", LabTopology.Bridge);
            LabNet.SetOffloads(LabTopology.Switch, port, offloads);
            LabNet.SetOffloads(ns, "eth0", offloads);
            HostCommand.Run("ip", "-n", LabTopology.Switch, "link", "set", port, "up");
            HostCommand.Run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
            HostCommand.Run("ip", "-n", ns, "link", "set", "eth0", "up");
        }

        HostCommand.Run("ip", "-n", LabTopology.Jump, "addr", "add", LabTopology.DecoyAddress + "/24", "dev", "eth0");
        LabNet.SetOffloads(LabTopology.Switch, LabTopology.Bridge, offloads);
        HostCommand.Run("ip", "link", "add", "eth1", "netns", LabTopology.Server, "type", "veth", "peer", "name", "eth0", "netns", LabTopology.Inner);
        LabNet.SetOffloads(LabTopology.Server, "eth1", offloads);
        LabNet.SetOffloads(LabTopology.Inner, "eth0", offloads);
        HostCommand.Run("ip", "-n", LabTopology.Server, "addr", "add", LabTopology.ServerInsideAddress + "/24", "dev", "eth1");
        HostCommand.Run("ip", "-n", LabTopology.Inner, "addr", "add", LabTopology.InnerAddress + "/24", "dev", "eth0");
        HostCommand.Run("ip", "-n", LabTopology.Server, "link", "set", "eth1", "up");
        HostCommand.Run("ip", "-n", LabTopology.Inner, "link", "set", "eth0", "up");
    }
}
