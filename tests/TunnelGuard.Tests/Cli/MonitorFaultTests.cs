using System.Text.RegularExpressions;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Cli;

/// <summary>
/// Faults while the monitor runs live (root, namespaces, real sshd and nftables): each is survived, logged once,
/// counted in the metrics, and recovered from when its cause goes away.
/// </summary>
public sealed partial class MonitorFaultTests
{
    private const string BlockEverySsh = """
        rules:
          - id: block-any-ssh
            match: { label: [interactive, exec, file-transfer, forward-local, forward-remote, forward-dynamic] }
            alert: { severity: high, title: Test block }
            block: { target: client, duration: 5m }
        """;

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll");

    [Fact]
    public void MissingFirewallCommand_IsLoggedOnceAndCounted_ThenTheBlockIsAppliedWhenItAppears()
    {
        using var host = new NetnsSshd(twoHosts: true);
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("policy.yaml"), BlockEverySsh);
        var bin = Directory.CreateDirectory(dir.File("bin")).FullName;

        // The monitor's PATH is a folder with only nft in it; once the monitor runs, nft goes missing until the test puts it back.
        File.CreateSymbolicLink(Path.Combine(bin, "nft"), "/usr/sbin/nft");
        var monitor = host.StartInNamespace(
            "env", $"PATH={bin}", Environment.ProcessPath!, Cli, "monitor", "-i", host.ServerInterface, "--format", "jsonl", "--duration", "120",
            "--metrics", "127.0.0.1:9464", "--rules", dir.File("policy.yaml"), "--db", dir.File("store.db"), "--enforce", "--firewall", "nftables");
        var log = new LineLog(monitor.StandardError);
        log.WaitFor("listening on");
        File.Delete(Path.Combine(bin, "nft"));

        var ssh = host.SshArguments();
        var session = host.StartOnClient(ssh[0], [.. ssh[1..], "while true; do echo tick; sleep 0.1; done"]);
        log.WaitFor("firewall error:");
        Thread.Sleep(3_000);

        Assert.Equal(1, log.Count("firewall error:"));
        Assert.True(Metric(host, "tunnelguard_firewall_errors_total") >= 3, "the retries were not counted");
        Assert.Equal(0, Metric(host, "tunnelguard_blocks_active"));

        File.CreateSymbolicLink(Path.Combine(bin, "nft"), "/usr/sbin/nft");
        log.WaitFor("blocked 198.18.6.1 with nftables (retried)", 20);

        Assert.Equal(1, log.Count("firewall nftables works again"));
        Assert.Equal(1, Metric(host, "tunnelguard_blocks_added_total"));
        Assert.Contains("198.18.6.1", ProcessRunner.Run("ip", "netns", "exec", host.Namespace, "nft", "list", "set", "inet", "tunnelguard", "addr4"), StringComparison.Ordinal);
        ProcessRunner.Interrupt(monitor);
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Equal(0, monitor.ExitCode);
        Assert.False(session.HasExited && session.ExitCode == 0, "the blocked session ended normally");
    }

    [Fact]
    public void PolicyReplacedByGarbage_KeepsTheLastGoodPolicy_LogsOnce_AndALaterGoodPolicyTakesOver()
    {
        using var host = new NetnsSshd(port: 2022);
        using var dir = new TempDirectory();
        var policy = dir.File("policy.yaml");
        File.WriteAllText(policy, BlockEverySsh.Replace("block: { target: client, duration: 5m }", string.Empty, StringComparison.Ordinal));
        var monitor = host.StartInNamespace(
            "dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "127.0.0.1:9464",
            "--rules", policy, "--db", dir.File("store.db"));
        var log = new LineLog(monitor.StandardError);
        var output = new LineLog(monitor.StandardOutput);
        log.WaitFor("listening on");

        File.WriteAllText(policy, "rules:\n  - id: broken\n    match: { label: [nonsense] }\n    alert: [\n");
        log.WaitFor("is broken, the last good policy stays in force", 20);
        host.Ssh("echo under the old policy");
        output.WaitFor("\"rule_id\":\"block-any-ssh\"", 20);
        Thread.Sleep(2_500);

        Assert.Equal(1, log.Count("is broken"));
        Assert.Matches(PolicyLinePattern(), log.Text);
        Assert.Equal(1, Metric(host, "tunnelguard_rule_reloads_total{result=\"rejected\"}"));

        File.WriteAllText(policy, BlockEverySsh.Replace("block-any-ssh", "new-policy", StringComparison.Ordinal).Replace("block: { target: client, duration: 5m }", string.Empty, StringComparison.Ordinal));
        log.WaitFor("policy reloaded", 20);
        host.Ssh("echo under the new policy");
        output.WaitFor("\"rule_id\":\"new-policy\"", 20);

        Assert.Equal(1, Metric(host, "tunnelguard_rule_reloads_total{result=\"ok\"}"));
        ProcessRunner.Interrupt(monitor);
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Equal(0, monitor.ExitCode);
    }

    [Fact]
    public void FullDisk_UnderTheAlertStore_LosesNoAlert_AndTheyAreWrittenWhenSpaceIsBack()
    {
        using var host = new NetnsSshd(port: 2022);
        using var dir = new TempDirectory();
        var policy = AlertOnEverySsh(dir);
        var disk = Directory.CreateDirectory(dir.File("disk")).FullName;
        ProcessRunner.Run("mount", "-t", "tmpfs", "-o", "size=4m", "tunnelguard-test", disk);
        try
        {
            var monitor = host.StartInNamespace(
                "dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "127.0.0.1:9464",
                "--rules", policy, "--db", Path.Combine(disk, "alerts.db"));
            var log = new LineLog(monitor.StandardError);
            var output = new LineLog(monitor.StandardOutput);
            log.WaitFor("listening on");
            host.Ssh("echo before");
            output.WaitFor("\"event_type\":\"alert\"", 20);

            // Fill the small disk: the store's next write-ahead-log frame finds no space.
            foreach (var (file, block) in new[] { ("filler", "64k"), ("filler2", "512"), ("filler3", "1") })
            {
                ProcessRunner.TryRun("dd", "if=/dev/zero", $"of={Path.Combine(disk, file)}", $"bs={block}");
            }

            for (var i = 0; i < 3; i++)
            {
                host.Ssh($"echo while full {i}");
            }

            log.WaitFor("fails:", 30);

            // With suppress: 0 every verdict change of a connection that the rule matches raises an alert, and how
            // often a short exec's verdict changes depends on timing (a loaded machine moves it): count connections.
            WaitForAlertedConnections(output, 4);
            Assert.Equal(4, AlertedConnections(output));
            Assert.True(Metric(host, "tunnelguard_alerts_unstored") >= 1, log.Text);
            Assert.True(Metric(host, "tunnelguard_alert_store_failures_total") >= 1);

            // Logged once per outage: on a full disk SQLite now and then gets a write through (the write-ahead log reuses
            // its own space after a checkpoint), which is logged as the store working again until the next failure.
            Thread.Sleep(2_000);
            Assert.True(log.Count("fails:") <= log.Count("works again") + 1, log.Text);

            // A "works again" may already be in the log from such a write: wait for the store to have taken every alert.
            File.Delete(Path.Combine(disk, "filler"));
            File.Delete(Path.Combine(disk, "filler2"));
            File.Delete(Path.Combine(disk, "filler3"));
            var emptied = DateTime.UtcNow.AddSeconds(20);
            while (Metric(host, "tunnelguard_alerts_unstored") != 0 && DateTime.UtcNow < emptied)
            {
                Thread.Sleep(200);
            }

            Assert.True(Metric(host, "tunnelguard_alerts_unstored") == 0, log.Text);
            Assert.Contains("works again", log.Text, StringComparison.Ordinal);
            ProcessRunner.Interrupt(monitor);
            Assert.True(monitor.WaitForExit(30_000));
            Assert.Equal(0, monitor.ExitCode);

            var stored = CliRun.Of("alerts", "list", "--db", Path.Combine(disk, "alerts.db"), "--format", "jsonl");
            // A rule's repeated alerts on one connection share its stable id and one stored row (the store adds the
            // later verdict changes to that row): every alert id that was output must be stored.
            Assert.Equal(AlertValues(output, "alert", "id").Count, stored.OutLines.Length);
        }
        finally
        {
            ProcessRunner.TryRun("umount", "-l", disk);
        }
    }

    [Fact]
    public void CaptureInterfaceThatDisappears_IsLoggedOnce_AndCaptureResumesWhenItIsBack()
    {
        using var host = new NetnsSshd(twoHosts: true);
        var server = host.ServerInterface;
        var client = "tgv" + server[3..];
        var monitor = host.StartInNamespace(
            "dotnet", Cli, "monitor", "-i", server, "--format", "jsonl", "--duration", "120", "--metrics", "127.0.0.1:9464");
        var log = new LineLog(monitor.StandardError);
        var output = new LineLog(monitor.StandardOutput);
        log.WaitFor("listening on");
        host.Ssh("echo before");
        output.WaitFor("\"event_type\":\"ssh\"", 30);

        // The interface goes away (its veth pair is deleted), as when a VM's NIC is unplugged or a VLAN removed.
        ProcessRunner.Run("ip", "-n", host.Namespace, "link", "del", server);
        log.WaitFor($"capture on {server} stopped", 20);
        Thread.Sleep(2_500);
        Assert.Equal(1, log.Count($"capture on {server} stopped"));
        Assert.Equal(1, Metric(host, "tunnelguard_capture_interface_losses_total"));
        Assert.Equal(1, Metric(host, "tunnelguard_capture_interfaces_down"));

        // It comes back under the same name.
        ProcessRunner.Run("ip", "link", "add", client, "netns", host.ClientNamespace, "type", "veth", "peer", "name", server, "netns", host.Namespace);
        ProcessRunner.Run("ip", "-n", host.ClientNamespace, "addr", "add", NetnsSshd.ClientAddress + "/24", "dev", client);
        ProcessRunner.Run("ip", "-n", host.Namespace, "addr", "add", NetnsSshd.ServerAddress + "/24", "dev", server);
        ProcessRunner.Run("ip", "-n", host.ClientNamespace, "link", "set", client, "up");
        ProcessRunner.Run("ip", "-n", host.Namespace, "link", "set", server, "up");
        log.WaitFor($"capturing on {server} again", 20);
        host.Ssh("echo after");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (output.Count("\"event_type\":\"ssh\"") < 2 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        Assert.Equal(2, output.Count("\"event_type\":\"ssh\""));
        Assert.Equal(0, Metric(host, "tunnelguard_capture_interfaces_down"));
        ProcessRunner.Interrupt(monitor);
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Equal(0, monitor.ExitCode);
    }

    [Fact]
    public void SyslogTargetDown_IsLoggedOnceAndCounted_AndTheAlertIsSentWhenItIsBack()
    {
        using var host = new NetnsSshd(port: 2022);
        using var dir = new TempDirectory();
        var policy = AlertOnEverySsh(dir);
        var monitor = host.StartInNamespace(
            "dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "127.0.0.1:9464",
            "--rules", policy, "--db", dir.File("store.db"), "--syslog", "tcp://127.0.0.1:5514");
        var log = new LineLog(monitor.StandardError);
        var output = new LineLog(monitor.StandardOutput);
        log.WaitFor("listening on");

        // Nothing listens on 5514 yet: the collector is down.
        host.Ssh("echo while syslog is down");
        output.WaitFor("\"event_type\":\"alert\"", 20);
        Thread.Sleep(2_000);

        // One connection, but each verdict change the rule matches is an alert (suppress: 0), and how many a short
        // exec has depends on timing: every alert raised while the collector is down must be pending, then sent.
        var settle = DateTime.UtcNow.AddSeconds(10);
        while (Metric(host, "tunnelguard_syslog_pending") != output.Count("\"event_type\":\"alert\"") && DateTime.UtcNow < settle)
        {
            Thread.Sleep(200);
        }

        Assert.Equal(1, AlertedConnections(output));
        Assert.Equal(output.Count("\"event_type\":\"alert\""), Metric(host, "tunnelguard_syslog_pending"));
        Assert.True(Metric(host, "tunnelguard_syslog_failures_total") >= 1);
        Assert.Equal(1, log.Count("5514"));

        // The collector comes back; the kept alert goes out without waiting for a new one.
        var received = dir.File("syslog.txt");
        host.StartInNamespace("socat", "-u", "TCP-LISTEN:5514,reuseaddr,fork", $"OPEN:{received},creat,append");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((!File.Exists(received) || !File.ReadAllText(received).Contains("block-any-ssh", StringComparison.Ordinal)
                || Metric(host, "tunnelguard_syslog_pending") != 0) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
        }

        Assert.Contains("block-any-ssh", File.ReadAllText(received), StringComparison.Ordinal);
        Assert.Equal(0, Metric(host, "tunnelguard_syslog_pending"));
        Assert.Equal(output.Count("\"event_type\":\"alert\""), Metric(host, "tunnelguard_syslog_sent_total"));
        ProcessRunner.Interrupt(monitor);
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Equal(0, monitor.ExitCode);
    }

    /// <summary>A policy file that alerts on every SSH connection, at every verdict change, and blocks nothing.</summary>
    private static string AlertOnEverySsh(TempDirectory dir)
    {
        var policy = dir.File("policy.yaml");
        File.WriteAllText(policy, BlockEverySsh.Replace("block: { target: client, duration: 5m }", "suppress: 0", StringComparison.Ordinal));
        return policy;
    }

    /// <summary>Waits (up to 30 s) until the alert lines are about <paramref name="count"/> connections.</summary>
    private static void WaitForAlertedConnections(LineLog output, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (AlertedConnections(output) < count && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }
    }

    /// <summary>How many distinct connections (by Community ID) the alert lines written so far are about.</summary>
    private static int AlertedConnections(LineLog output) => AlertValues(output, "community_id").Count;

    /// <summary>The distinct values of one string field (by its path of names) over the alert lines written so far.</summary>
    private static HashSet<string?> AlertValues(LineLog output, params string[] path) =>
        output.Text.Split('\n')
            .Where(l => l.Contains("\"event_type\":\"alert\"", StringComparison.Ordinal))
            .Select(l => path.Aggregate(System.Text.Json.JsonDocument.Parse(l).RootElement, (e, name) => e.GetProperty(name)).GetString())
            .ToHashSet(StringComparer.Ordinal);

    private static double Metric(NetnsSshd host, string name)
    {
        var scraped = ProcessRunner.Run("ip", "netns", "exec", host.Namespace, "curl", "-sf", "http://127.0.0.1:9464/metrics");
        var line = scraped.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no {name} in {scraped}");
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"policy\.yaml:\d+:\d+: ")]
    private static partial Regex PolicyLinePattern();
}
