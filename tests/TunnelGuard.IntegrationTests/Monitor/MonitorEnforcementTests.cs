using TunnelGuard.IntegrationTests.Infrastructure;
using TunnelGuard.IntegrationTests.Lab;
using TunnelGuard.Lab.Lab;
using Xunit.Abstractions;

namespace TunnelGuard.IntegrationTests.Monitor;

/// <summary>
/// The monitor's main job, live in the lab with real OpenSSH tunnels, a real sshd and the kernel's nftables: the policy
/// blocks -R and -L tunnels within 2 s of their verdict and their data stops, while another client's session goes on;
/// blocks survive a restart and run out on time; the ignore list is obeyed. Root only. Each test forwards its own
/// port: the server side of a blocked -R connection keeps its listener until sshd gives the dead client up.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class MonitorEnforcementTests(ITestOutputHelper output) : IClassFixture<LabUp>
{
    private const string Client = LabTopology.ClientAddress;
    private const string Server = LabTopology.ServerAddress;
    private static readonly TimeSpan VerdictWait = TimeSpan.FromSeconds(60);

    private static string Policy(string labels, string target, string duration) => $$"""
        rules:
          - id: no-tunnels
            match: { label: [{{labels}}] }
            alert: { severity: high, title: Unauthorized SSH tunnel }
            block: { target: {{target}}, duration: {{duration}} }
          - id: ordinary-ssh
            match: { label: [interactive, exec, file-transfer] }
            allow: true
        """;

    [Fact]
    public async Task ReverseTunnel_IsBlockedWithinTwoSecondsOfItsVerdict_ItsDataStops_AndAnotherClientsSessionGoesOn()
    {
        var dir = MonitorRun.NewDirectory();
        await using var lab = new ScenarioContext(1, CipherChoice.Default, 1, Path.Combine(dir, "lab"));
        await using var monitor = await MonitorRun.StartAsync(dir, Policy("forward-remote, forward-dynamic", "pair", "10m"));

        // Another client (the jump host) with a session that prints a line every 0.2 s.
        var other = lab.Start("other-session", LabTopology.Jump, lab.Ssh("-tt", Server, "while true; do echo tick; sleep 0.2; done"));

        var ssh = lab.Start("ssh-R", LabTopology.Client, lab.Ssh("-N", "-R", $"127.0.0.1:9001:127.0.0.1:{LabTopology.BulkPort}", Server));
        await lab.WaitListeningAsync(ssh, LabTopology.Server, 9001, CancellationToken.None);
        lab.Start("bulk", LabTopology.Server, RepeatedBulk(9001, forever: true));

        var blocked = await monitor.WaitForLogAsync($"blocked {Client} <-> {Server} with nftables", VerdictWait);
        await AssertBlockedPromptlyAndTrafficStopsAsync(monitor, "forward-remote", blocked);

        var ticks = Ticks(other);
        await Task.Delay(2_000);
        Assert.True(Ticks(other) >= ticks + 5, $"the other client's session stalled: {ticks} ticks, then {Ticks(other)}");

        Assert.Contains($"{Client} . {Server}", MonitorRun.SetElements("pair4"), StringComparison.Ordinal);
        var scraped = MonitorRun.Scrape();
        Assert.Equal(1, MonitorRun.Metric(scraped, "tunnelguard_blocks_active"));
        Assert.Equal(1, MonitorRun.Metric(scraped, "tunnelguard_blocks_added_total"));
        Assert.True(MonitorRun.Metric(scraped, "tunnelguard_alerts_total{rule=\"no-tunnels\",severity=\"high\"}") >= 1, scraped);
        Assert.Contains("\"enforced\":true", monitor.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalTunnel_IsBlockedWithinTwoSecondsOfItsVerdict_AndItsDataStops()
    {
        var dir = MonitorRun.NewDirectory();
        await using var lab = new ScenarioContext(2, CipherChoice.Default, 1, Path.Combine(dir, "lab"));
        await using var monitor = await MonitorRun.StartAsync(dir, Policy("forward-local", "client", "10m"));

        var ssh = lab.Start("ssh-L", LabTopology.Client, lab.Ssh("-N", "-L", $"127.0.0.1:8080:{LabTopology.InnerAddress}:{LabTopology.BulkPort}", Server));
        await lab.WaitListeningAsync(ssh, LabTopology.Client, 8080, CancellationToken.None);
        lab.Start("bulk", LabTopology.Client, ScenarioContext.Drive("bulk", "--connect", "127.0.0.1:8080", "--up", "2000000000", "--down", "2000000000"));

        var blocked = await monitor.WaitForLogAsync($"blocked {Client} with nftables", VerdictWait);
        await AssertBlockedPromptlyAndTrafficStopsAsync(monitor, "forward-local", blocked);
        Assert.Contains(Client, MonitorRun.SetElements("addr4"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_IsReappliedAfterARestart_ThenExpires_AndTheClientConnectsAgain()
    {
        var dir = MonitorRun.NewDirectory();
        await using var lab = new ScenarioContext(3, CipherChoice.Default, 1, Path.Combine(dir, "lab"));
        var policy = Policy("forward-remote", "pair", "25s");
        await using (var first = await MonitorRun.StartAsync(dir, policy))
        {
            var ssh = lab.Start("ssh-R", LabTopology.Client, lab.Ssh("-N", "-R", $"127.0.0.1:9002:127.0.0.1:{LabTopology.BulkPort}", Server));
            await lab.WaitListeningAsync(ssh, LabTopology.Server, 9002, CancellationToken.None);
            lab.Start("bulk", LabTopology.Server, RepeatedBulk(9002, forever: true));
            await first.WaitForLogAsync($"blocked {Client} <-> {Server} with nftables", VerdictWait);
            Assert.Equal(0, await first.StopAsync());
        }

        // Disposing the first run removed TunnelGuard's table, as a reboot or a firewall reload would.
        Assert.Equal(string.Empty, MonitorRun.SetElements("pair4"));
        await using var second = await MonitorRun.StartAsync(dir, policy);
        Assert.Contains("1 stored block(s) re-applied", second.Log, StringComparison.Ordinal);
        Assert.Contains($"{Client} . {Server}", MonitorRun.SetElements("pair4"), StringComparison.Ordinal);
        Assert.NotEqual(0, Connect(lab));

        await second.WaitForLogAsync($"block of {Client} <-> {Server} expired", TimeSpan.FromSeconds(60));
        Assert.Equal(string.Empty, MonitorRun.SetElements("pair4"));
        Assert.Equal(0, Connect(lab));
        Assert.Equal(0, MonitorRun.Metric(MonitorRun.Scrape(), "tunnelguard_blocks_active"));

        var audit = CliProcess.Start("blocks", "audit", "--db", second.Database, "--format", "jsonl");
        await audit.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["block", "reapply", "expire"], audit.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task ClientOnTheIgnoreList_IsNeverBlocked_ButStillAlertedOn()
    {
        var dir = MonitorRun.NewDirectory();
        await using var lab = new ScenarioContext(4, CipherChoice.Default, 1, Path.Combine(dir, "lab"));
        await using var monitor = await MonitorRun.StartAsync(dir, Policy("forward-remote", "pair", "10m"), "--ignore", "198.18.4.0/28");

        var ssh = lab.Start("ssh-R", LabTopology.Client, lab.Ssh("-N", "-R", $"127.0.0.1:9003:127.0.0.1:{LabTopology.BulkPort}", Server));
        await lab.WaitListeningAsync(ssh, LabTopology.Server, 9003, CancellationToken.None);
        var bulk = lab.Start("bulk", LabTopology.Server, RepeatedBulk(9003, forever: false));

        await monitor.WaitForLogAsync($"refused to block {Client}", VerdictWait);
        Assert.True(await bulk.WaitAsync(TimeSpan.FromSeconds(120), CancellationToken.None), "the ignored client's transfer did not finish");
        Assert.Equal(0, bulk.ExitCode);
        Assert.Equal(string.Empty, MonitorRun.SetElements("pair4"));
        Assert.DoesNotContain("blocked ", monitor.Log, StringComparison.Ordinal);
        Assert.Contains("\"rule_id\":\"no-tunnels\"", monitor.Output, StringComparison.Ordinal);

        // Each matching verdict change asks for the block again (a suppressed alert still blocks), and how often a
        // -R's verdict changes depends on timing: every refusal is logged once and counted once.
        int Refusals() => monitor.Log.Split('\n').Count(l => l.Contains($"refused to block {Client}", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (MonitorRun.Metric(MonitorRun.Scrape(), "tunnelguard_blocks_refused_total") != Refusals() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(Refusals() >= 1);
        Assert.Equal(Refusals(), MonitorRun.Metric(MonitorRun.Scrape(), "tunnelguard_blocks_refused_total"));
    }

    /// <summary>The block was in force at most 2 s after the verdict, and the server's sshd received nothing more from the client.</summary>
    private async Task AssertBlockedPromptlyAndTrafficStopsAsync(MonitorRun monitor, string label, string blockedLine)
    {
        var verdict = monitor.VerdictLine(label, Client);
        Assert.NotNull(verdict);
        var delay = MonitorRun.TimeOf(blockedLine) - MonitorRun.TimeOf(verdict);
        output.WriteLine($"{label}: verdict at {MonitorRun.TimeOf(verdict):HH:mm:ss.fff}, block in force {delay.TotalMilliseconds:0} ms later");
        Assert.InRange(delay, TimeSpan.Zero, TimeSpan.FromSeconds(2));

        await Task.Delay(500);
        var atBlock = MonitorRun.BytesReceivedFrom(Client);
        await Task.Delay(2_000);
        Assert.True(atBlock > 100_000, $"only {atBlock} bytes went through the tunnel before the block");
        Assert.Equal(atBlock, MonitorRun.BytesReceivedFrom(Client));
        output.WriteLine($"{label}: {atBlock} bytes received by sshd before the block, none in the 2 s after");
    }

    /// <summary>
    /// From the server side, one bulk exchange after another through the -R port (each a channel the server opens, as
    /// the lab's remote-bulk scenario does): forever, or eight times.
    /// </summary>
    private static string[] RepeatedBulk(int port, bool forever)
    {
        var once = string.Join(' ', ScenarioContext.Drive("bulk", "--connect", $"127.0.0.1:{port}", "--up", "300000", "--down", "900000"));
        return ["sh", "-c", forever ? $"while true; do {once} || sleep 0.2; done" : $"for i in 1 2 3 4 5 6 7 8; do {once} || exit 1; done"];
    }

    private static int Ticks(LabProcess session) => session.ReadLog().Split('\n').Count(l => l.StartsWith("tick", StringComparison.Ordinal));

    /// <summary>A new SSH connection from the lab client to the server: 0 when it got through.</summary>
    private static int Connect(ScenarioContext lab) =>
        HostCommand.TryRun("ip", ["netns", "exec", LabTopology.Client, .. lab.Ssh("-o", "ConnectTimeout=3", Server, "true")]).ExitCode;
}
