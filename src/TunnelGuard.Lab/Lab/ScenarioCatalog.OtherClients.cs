using TunnelGuard.Classification;

namespace TunnelGuard.Lab.Lab;

/// <summary>Scenarios with other client implementations: `tunnelguard tunnel` (SSH.NET) and Dropbear's dbclient.</summary>
public static partial class ScenarioCatalog
{
    private static IEnumerable<Scenario> OtherClients()
    {
        yield return new Scenario("sshnet-local-bulk", ClientKind.SshNet, "tunnelguard tunnel -L carrying bulk transfers", [ExpectedConnection.ToServer(Labels.ForwardLocal)],
            (c, ct) => BulkThroughAsync(c, "tunnel-L", c.Tunnel("-L", $"127.0.0.1:8085:{InnerBulk}"), LabTopology.Client, 8085, ct));

        yield return new Scenario("sshnet-remote-bulk", ClientKind.SshNet, "tunnelguard tunnel -R: bulk transfers started from the server side", [ExpectedConnection.ToServer(Labels.ForwardRemote)],
            (c, ct) => BulkThroughAsync(c, "tunnel-R", c.Tunnel("-R", $"127.0.0.1:9002:127.0.0.1:{LabTopology.BulkPort}"), LabTopology.Server, 9002, ct));

        yield return new Scenario("sshnet-dynamic-browse", ClientKind.SshNet, "tunnelguard tunnel -D: browsing through its SOCKS proxy", [ExpectedConnection.ToServer(Labels.ForwardDynamic)],
            async (c, ct) =>
            {
                var tunnel = c.Start("tunnel-D", LabTopology.Client, c.Tunnel("-D", "127.0.0.1:1081"));
                await c.WaitListeningAsync(tunnel, LabTopology.Client, 1081, ct).ConfigureAwait(false);
                await c.RunAsync("browse", LabTopology.Client, ct, ScenarioContext.Drive("browse", "--proxy", "127.0.0.1:1081", "--site", Inner, "--pages", Str(c.Count("pages", 2, 4)), "--seed", Str(c.Seed))).ConfigureAwait(false);
                await ScenarioContext.StopAsync(tunnel).ConfigureAwait(false);
            });

        yield return new Scenario("sshnet-interactive", ClientKind.SshNet, "a person typing into an SSH.NET shell (ShellStream, PTY channel)", [ExpectedConnection.ToServer(Labels.Interactive)],
            (c, ct) => c.RunAsync("typist", LabTopology.Client, ct, ScenarioContext.Drive(
                "sshnet-shell", "--seed", Str(c.Seed), "--commands", Str(c.Count("commands", 2, 4)), "--to", "root@" + Server, "--key", LabPaths.UserKey, "--known-hosts", LabPaths.KnownHosts)));

        yield return new Scenario("dropbear-exec", ClientKind.Dropbear, "dbclient running commands without a terminal", [ExpectedConnection.ToServer(Labels.Exec)],
            (c, ct) => c.RunAsync("dbclient", LabTopology.Client, ct, c.Dbclient("root@" + Server, "uname -a; id; head -c " + Str(c.Size("output_bytes", 2_000, 60_000)) + " /etc/services")));

        yield return new Scenario("dropbear-interactive", ClientKind.Dropbear, "a person typing into a dbclient -t shell", [ExpectedConnection.ToServer(Labels.Interactive)],
            (c, ct) => TypeAsync(c, "typist", LabTopology.Client, c.Count("commands", 2, 4), false, ct, ScenarioContext.OnPty(c.Dbclient("-t", "root@" + Server))));

        yield return new Scenario("dropbear-local-bulk", ClientKind.Dropbear, "dbclient -L carrying bulk transfers", [ExpectedConnection.ToServer(Labels.ForwardLocal)],
            (c, ct) => BulkThroughAsync(c, "dbclient-L", c.Dbclient("-N", "-L", $"127.0.0.1:8086:{InnerBulk}", "root@" + Server), LabTopology.Client, 8086, ct));
    }
}
