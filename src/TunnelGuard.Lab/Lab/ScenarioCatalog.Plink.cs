using TunnelGuard.Classification;

namespace TunnelGuard.Lab.Lab;

/// <summary>Scenarios with PuTTY's plink as the client: a third SSH implementation beside OpenSSH, SSH.NET and Dropbear.</summary>
public static partial class ScenarioCatalog
{
    private static IEnumerable<Scenario> Plink()
    {
        yield return new Scenario("plink-exec", ClientKind.Plink, "plink -T running commands without a terminal", [ExpectedConnection.ToServer(Labels.Exec)],
            (c, ct) => c.RunAsync("plink", LabTopology.Client, ct, c.Plink("-T", "root@" + Server, "uname -a; id; head -c " + Str(c.Size("output_bytes", 2_000, 60_000)) + " /etc/services")));

        yield return new Scenario("plink-interactive", ClientKind.Plink, "a person typing into a plink -t shell", [ExpectedConnection.ToServer(Labels.Interactive)],
            (c, ct) => TypeAsync(c, "typist", LabTopology.Client, c.Count("commands", 2, 4), false, ct, ScenarioContext.OnPty(c.Plink("-t", "root@" + Server))));

        yield return new Scenario("plink-local-bulk", ClientKind.Plink, "plink -N -L carrying bulk transfers", [ExpectedConnection.ToServer(Labels.ForwardLocal)],
            (c, ct) => BulkThroughAsync(c, "plink-L", c.Plink("-N", "-L", $"127.0.0.1:8087:{InnerBulk}", "root@" + Server), LabTopology.Client, 8087, ct));
    }
}
