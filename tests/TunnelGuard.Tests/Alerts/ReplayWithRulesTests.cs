using System.Text.Json;
using TunnelGuard.Alerts;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

public sealed class ReplayWithRulesTests
{
    // Until the classifier exists every SSH verdict is "unknown": a rule on it fires on every SSH connection.
    // Matches every SSH verdict the committed captures get, so each SSH connection raises exactly one alert.
    private const string UnknownRule = "rules:\n  - id: unclassified\n    match: { label: [unknown, interactive, exec, file-transfer, forward-local, forward-remote, forward-dynamic] }\n    alert: { severity: medium, title: Unclassified SSH }\n    suppress: 0\n";

    [Fact]
    public void Replay_WithRules_FollowsEachConnectionLineWithItsAlerts()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.yaml"), UnknownRule);

        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.File("r.yaml"));
        var plain = CliRun.Of("replay", RepoPaths.Pcaps);

        Assert.True(run.ExitCode == 0, run.Error);
        var ssh = run.OutLines.Where(l => l.Contains("\"event_type\":\"ssh\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(plain.OutLines, ssh);
        Assert.Equal(ssh.Count * 2, run.OutLines.Length);
        for (var i = 0; i < run.OutLines.Length; i += 2)
        {
            using var connection = JsonDocument.Parse(run.OutLines[i]);
            using var alert = JsonDocument.Parse(run.OutLines[i + 1]);
            var c = connection.RootElement;
            var a = alert.RootElement;
            Assert.Equal("alert", a.GetProperty("event_type").GetString());
            foreach (var field in new[] { "pcap", "community_id", "src_ip", "dest_ip" })
            {
                Assert.Equal(c.GetProperty(field).GetString(), a.GetProperty(field).GetString());
            }

            Assert.Equal(c.GetProperty("src_port").GetInt32(), a.GetProperty("src_port").GetInt32());
            // The alert is stamped with the packet time its verdict was reached: within the connection's lifetime.
            var at = a.GetProperty("timestamp").GetString()!;
            Assert.InRange(string.CompareOrdinal(at, c.GetProperty("timestamp").GetString()), 0, int.MaxValue);
            Assert.InRange(string.CompareOrdinal(at, c.GetProperty("flow").GetProperty("last_seen").GetString()), int.MinValue, 0);
            Assert.Equal("unclassified", a.GetProperty("alert").GetProperty("rule_id").GetString());
        }
    }

    [Fact]
    public void Replay_WithRules_IsDeterministic_AndStoresTheSameAlerts()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.yaml"), UnknownRule);
        var db = dir.File("alerts.db");

        var first = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path, "--alerts-db", db);
        var second = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path, "--alerts-db", db);

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Equal(first.Out, second.Out);
        var ids = first.OutLines.Where(l => l.Contains("\"event_type\":\"alert\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("alert").GetProperty("id").GetString()!)
            .Order(StringComparer.Ordinal)
            .ToList();
        using var store = AlertStore.Open(db);
        Assert.Equal(ids, store.Query(AlertQuery.All).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Replay_Suppression_SpansTheRun()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.yaml"), UnknownRule.Replace("suppress: 0", "suppress: 1d", StringComparison.Ordinal));

        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path);
        var pairs = CliRun.Of("replay", RepoPaths.Pcaps).OutLines
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("src_ip").GetString(), e.GetProperty("dest_ip").GetString()))
            .Distinct()
            .Count();

        // One alert per client/server address pair over the whole run, however many connections each pair had.
        Assert.True(pairs < run.OutLines.Count(l => l.Contains("\"event_type\":\"ssh\"", StringComparison.Ordinal)));
        Assert.Equal(pairs, run.OutLines.Count(l => l.Contains("\"event_type\":\"alert\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Replay_AllFlows_NonSshFlowsMatchAndAlertAsNotSsh()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.yaml"), "rules:\n  - { id: not-ssh-on-22, match: { label: not-ssh, server_port: 22 }, alert: { severity: low }, suppress: 0 }\n");

        var run = CliRun.Of("replay", RepoPaths.Pcap("not-ssh-port22.pcap"), "--all-flows", "--rules", dir.Path);

        var alerts = run.OutLines.Where(l => l.Contains("\"event_type\":\"alert\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a => Assert.Equal("not-ssh", JsonDocument.Parse(a).RootElement.GetProperty("verdict").GetProperty("label").GetString()));
    }

    [Fact]
    public void Replay_BadRules_ExitsThree_WithoutOutput()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.yaml"), "rules:\n  - id: x\n    match: { label: exec }\n");

        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path);

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Contains("r.yaml:2:5: rule 'x' has no action", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_AlertsDbWithoutRules_IsAUsageError()
    {
        using var dir = new TempDirectory();

        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--alerts-db", dir.File("a.db"));

        Assert.Equal(2, run.ExitCode);
        Assert.False(File.Exists(dir.File("a.db")));
    }

    [Fact]
    public void Replay_TableFormat_PrintsAlertRowsUnderTheirConnection()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.yaml"), UnknownRule);

        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--rules", dir.Path, "--format", "table");

        Assert.Equal(3, run.OutLines.Length);
        Assert.StartsWith("  ALERT medium tg-", run.OutLines[2], StringComparison.Ordinal);
        Assert.EndsWith("unclassified: Unclassified SSH", run.OutLines[2], StringComparison.Ordinal);
    }
}
