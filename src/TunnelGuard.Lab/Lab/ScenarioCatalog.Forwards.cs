using TunnelGuard.Classification;

namespace TunnelGuard.Lab.Lab;

/// <summary>Scenarios of OpenSSH port forwarding: -L, -R, -D, idle tunnels, ProxyJump and ControlMaster.</summary>
public static partial class ScenarioCatalog
{
    private static readonly string InnerBulk = $"{Inner}:{LabTopology.BulkPort}";

    private static IEnumerable<Scenario> Forwards()
    {
        yield return new Scenario("local-bulk", ClientKind.OpenSsh, "-L to the inner host carrying bulk transfers both ways", [ExpectedConnection.ToServer(Labels.ForwardLocal)],
            (c, ct) => BulkThroughAsync(c, "ssh-L", c.Ssh("-N", "-L", $"127.0.0.1:8080:{InnerBulk}", Server), LabTopology.Client, 8080, ct));

        yield return new Scenario("local-reqresp", ClientKind.OpenSsh, "-L to the inner HTTP server: small requests, medium replies, think times", [ExpectedConnection.ToServer(Labels.ForwardLocal)],
            async (c, ct) =>
            {
                var ssh = c.Start("ssh-L", LabTopology.Client, c.Ssh("-N", "-L", $"127.0.0.1:8081:{Inner}:{LabTopology.HttpPort}", Server));
                await c.WaitListeningAsync(ssh, LabTopology.Client, 8081, ct).ConfigureAwait(false);
                await c.RunAsync("reqresp", LabTopology.Client, ct, ScenarioContext.Drive("reqresp", "--connect", "127.0.0.1:8081", "--requests", Str(c.Count("requests", 5, 9)), "--seed", Str(c.Seed))).ConfigureAwait(false);
                await ScenarioContext.StopAsync(ssh).ConfigureAwait(false);
            });

        yield return new Scenario("local-nested", ClientKind.OpenSsh, "-L to the server's own sshd carrying a nested interactive ssh session", [ExpectedConnection.ToServer(Labels.ForwardLocal, Labels.Interactive)],
            async (c, ct) =>
            {
                var ssh = c.Start("ssh-L", LabTopology.Client, c.Ssh("-N", "-L", "127.0.0.1:2222:127.0.0.1:22", Server));
                await c.WaitListeningAsync(ssh, LabTopology.Client, 2222, ct).ConfigureAwait(false);
                await TypeAsync(c, "typist", LabTopology.Client, c.Count("commands", 2, 4), false, ct, c.Ssh("-tt", "-p", "2222", "127.0.0.1")).ConfigureAwait(false);
                await ScenarioContext.StopAsync(ssh).ConfigureAwait(false);
            });

        yield return new Scenario("remote-bulk", ClientKind.OpenSsh, "-R: the server side pulls and pushes bulk data to a service on the client", [ExpectedConnection.ToServer(Labels.ForwardRemote)],
            (c, ct) => BulkThroughAsync(c, "ssh-R", c.Ssh("-N", "-R", $"127.0.0.1:9001:127.0.0.1:{LabTopology.BulkPort}", Server), LabTopology.Server, 9001, ct));

        yield return new Scenario("remote-shell", ClientKind.OpenSsh, "-R exposing the client's sshd: a reverse interactive shell typed from the server side", [ExpectedConnection.ToServer(Labels.ForwardRemote, Labels.Interactive)],
            async (c, ct) =>
            {
                var ssh = c.Start("ssh-R", LabTopology.Client, c.Ssh("-N", "-R", "127.0.0.1:2223:127.0.0.1:22", Server));
                await c.WaitListeningAsync(ssh, LabTopology.Server, 2223, ct).ConfigureAwait(false);
                await TypeAsync(c, "typist", LabTopology.Server, c.Count("commands", 2, 4), false, ct, c.Ssh("-tt", "-p", "2223", "127.0.0.1")).ConfigureAwait(false);
                await ScenarioContext.StopAsync(ssh).ConfigureAwait(false);
            });

        yield return new Scenario("dynamic-browse", ClientKind.OpenSsh, "-D SOCKS proxy: browsing pages with assets on the inner web server (curl)", [ExpectedConnection.ToServer(Labels.ForwardDynamic)],
            async (c, ct) =>
            {
                var ssh = c.Start("ssh-D", LabTopology.Client, c.Ssh("-N", "-D", "127.0.0.1:1080", Server));
                await c.WaitListeningAsync(ssh, LabTopology.Client, 1080, ct).ConfigureAwait(false);
                await c.RunAsync("browse", LabTopology.Client, ct, ScenarioContext.Drive("browse", "--proxy", "127.0.0.1:1080", "--site", Inner, "--pages", Str(c.Count("pages", 2, 4)), "--seed", Str(c.Seed))).ConfigureAwait(false);
                await ScenarioContext.StopAsync(ssh).ConfigureAwait(false);
            });

        yield return new Scenario("dynamic-download", ClientKind.OpenSsh, "-D SOCKS5 proxy: one large download (curl)", [ExpectedConnection.ToServer(Labels.ForwardDynamic)],
            async (c, ct) =>
            {
                var ssh = c.Start("ssh-D", LabTopology.Client, c.Ssh("-N", "-D", "127.0.0.1:1082", Server));
                await c.WaitListeningAsync(ssh, LabTopology.Client, 1082, ct).ConfigureAwait(false);
                var url = $"http://{Inner}/download/{Str(c.Size("bytes", 500_000, 1_500_000))}";
                await c.RunAsync("curl", LabTopology.Client, ct, "curl", "-q", "-sS", "--fail", "--max-time", "60", "--socks5-hostname", "127.0.0.1:1082", "-o", "/dev/null", url).ConfigureAwait(false);
                await ScenarioContext.StopAsync(ssh).ConfigureAwait(false);
            });

        yield return new Scenario("idle-keepalive", ClientKind.OpenSsh, "an idle -L tunnel kept alive by ServerAliveInterval 2 s", [ExpectedConnection.ToServer(Labels.ForwardLocal)],
            async (c, ct) =>
            {
                var ssh = c.Start("ssh-L", LabTopology.Client, c.Ssh("-N", "-o", "ServerAliveInterval=2", "-L", $"127.0.0.1:8082:{Inner}:{LabTopology.EchoPort}", Server));
                await c.WaitListeningAsync(ssh, LabTopology.Client, 8082, ct).ConfigureAwait(false);
                await c.RunAsync("idle", LabTopology.Client, ct, ScenarioContext.Drive("idle", "--connect", "127.0.0.1:8082", "--seconds", Str(c.Count("idle_seconds", 7, 10)))).ConfigureAwait(false);
                await ScenarioContext.StopAsync(ssh).ConfigureAwait(false);
            });

        yield return new Scenario(
            "proxyjump",
            ClientKind.OpenSsh,
            "ssh -J: a shell on the server through the jump host (client->jump carries the stdio forward)",
            [
                new ExpectedConnection(LabTopology.ClientAddress, LabTopology.JumpAddress, LabTopology.SshPort, [Labels.ForwardLocal, Labels.Interactive]),
                new ExpectedConnection(LabTopology.JumpAddress, LabTopology.ServerAddress, LabTopology.SshPort, [Labels.Interactive]),
            ],
            (c, ct) => TypeAsync(c, "typist", LabTopology.Client, c.Count("commands", 2, 4), false, ct, c.Ssh("-tt", "-J", LabTopology.JumpAddress, Server)));

        yield return new Scenario("controlmaster", ClientKind.OpenSsh, "one ControlMaster connection multiplexing a -L bulk forward and a shell", [ExpectedConnection.ToServer(Labels.ForwardLocal, Labels.Interactive)],
            async (c, ct) =>
            {
                var control = Path.Combine(c.Directory, "ctl");
                var master = c.Start("ssh-master", LabTopology.Client, c.Ssh("-M", "-S", control, "-N", "-L", $"127.0.0.1:8083:{InnerBulk}", Server));
                await c.WaitListeningAsync(master, LabTopology.Client, 8083, ct).ConfigureAwait(false);
                var bulk = c.Start("bulk", LabTopology.Client, ScenarioContext.Drive("bulk", "--connect", "127.0.0.1:8083", "--up", Str(c.Size("up_bytes", 50_000, 150_000)), "--down", Str(c.Size("down_bytes", 200_000, 500_000))));
                await TypeAsync(c, "typist", LabTopology.Client, c.Count("commands", 2, 3), false, ct, c.Ssh("-S", control, "-tt", Server)).ConfigureAwait(false);
                await bulk.WaitAsync(TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
                await c.RunAsync("ssh-exit", LabTopology.Client, ct, c.Ssh("-S", control, "-O", "exit", Server)).ConfigureAwait(false);
            });
    }
}
