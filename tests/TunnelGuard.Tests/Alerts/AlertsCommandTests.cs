using System.Text.Json;
using TunnelGuard.Alerts;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

public sealed class AlertsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _db;
    private readonly Alert _recentHigh;
    private readonly Alert _recentLowV6;
    private readonly Alert _oldCritical;

    public AlertsCommandTests()
    {
        _db = _dir.File("alerts.db");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        _recentHigh = TestAlerts.Make(ruleId: "reverse", severity: "high", client: "10.1.2.3", firstSeenMicros: now - 600_000_000, block: true);
        _recentLowV6 = TestAlerts.Make(ruleId: "odd-port", severity: "low", client: "2001:db8::5", server: "2001:db8::22", firstSeenMicros: now - 1_200_000_000);
        _oldCritical = TestAlerts.Make(ruleId: "reverse", severity: "critical", client: "10.9.9.9", firstSeenMicros: now - (3L * 3_600_000_000));
        using var store = AlertStore.Open(_db);
        store.TryAdd(_recentHigh);
        store.TryAdd(_recentLowV6);
        store.TryAdd(_oldCritical);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(new string[0], "high,low,critical")]
    [InlineData(new[] { "--since", "1h" }, "high,low")]
    [InlineData(new[] { "--severity", "high" }, "high,critical")]
    [InlineData(new[] { "--rule", "reverse" }, "high,critical")]
    [InlineData(new[] { "--ip", "10.0.0.0/8" }, "high,critical")]
    [InlineData(new[] { "--ip", "2001:db8::/32" }, "low")]
    [InlineData(new[] { "--since", "1h", "--severity", "medium", "--rule", "reverse", "--ip", "10.1.2.3" }, "high")]
    [InlineData(new[] { "--limit", "1" }, "high")]
    public void List_Filters_NewestFirst(string[] filters, string severities)
    {
        var run = CliRun.Of(["alerts", "list", "--db", _db, "--format", "jsonl", .. filters]);

        Assert.True(run.ExitCode == 0, run.Error);
        var listed = run.OutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("alert").GetProperty("severity").GetString());
        Assert.Equal(severities.Split(','), listed);
    }

    [Fact]
    public void List_Table_HasAHeaderAndARowPerAlert()
    {
        var run = CliRun.Of("alerts", "list", "--db", _db, "--format", "table");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("TIME", run.OutLines[0], StringComparison.Ordinal);
        Assert.Equal(4, run.OutLines.Length);
        Assert.Contains(_recentHigh.Id, run.OutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AckThenClose_ChangeTheStatus_ShowListsTheHistory()
    {
        var ack = CliRun.Of("alerts", "ack", _recentHigh.Id, "--note", "owner confirmed a test", "--db", _db);
        var open = CliRun.Of("alerts", "list", "--db", _db, "--status", "open", "--format", "jsonl");
        var acked = CliRun.Of("alerts", "list", "--db", _db, "--status", "acknowledged", "--format", "jsonl");
        var close = CliRun.Of("alerts", "close", _recentHigh.Id, "--db", _db);
        var show = CliRun.Of("alerts", "show", _recentHigh.Id, "--db", _db);
        var json = CliRun.Of("alerts", "show", _recentHigh.Id, "--db", _db, "--format", "jsonl");

        Assert.Equal((0, $"{_recentHigh.Id}: acknowledged"), (ack.ExitCode, ack.Out.Trim()));
        Assert.Equal(2, open.OutLines.Length);
        Assert.Contains(_recentHigh.Id, Assert.Single(acked.OutLines), StringComparison.Ordinal);
        Assert.Equal(0, close.ExitCode);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.True(show.OutLines.Length > 10, show.Out);
        Assert.Contains("rule         reverse (high): Tunnel from 10.1.2.3", show.OutLines);
        Assert.Contains(show.OutLines, l => l.StartsWith("action       block client 10.1.2.3 for 1h (not enforced", StringComparison.Ordinal));
        Assert.Contains(show.OutLines, l => l.StartsWith("evidence     - 37 keystroke-sized packets", StringComparison.Ordinal));
        Assert.Contains("why          - label forward-remote is one of [forward-remote]", show.OutLines);
        Assert.Contains("status       closed", show.OutLines);
        Assert.Contains(show.OutLines, l => l.Contains("acknowledged owner confirmed a test", StringComparison.Ordinal));
        var triage = JsonDocument.Parse(json.Out).RootElement.GetProperty("triage");
        Assert.Equal("closed", triage.GetProperty("status").GetString());
        Assert.Equal(["acknowledged", "closed"], triage.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
    }

    [Fact]
    public void Export_WritesEveryAlertOldestFirst_ToAFile()
    {
        var file = _dir.File("export.jsonl");

        var run = CliRun.Of("alerts", "export", "--db", _db, "--output", file);

        Assert.Equal(0, run.ExitCode);
        var ids = File.ReadAllLines(file).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("alert").GetProperty("id").GetString());
        Assert.Equal([_oldCritical.Id, _recentLowV6.Id, _recentHigh.Id], ids);
    }

    [Theory]
    [InlineData("alerts", "show", "tg-00000000000000000000")]
    [InlineData("alerts", "close", "tg-00000000000000000000")]
    [InlineData("alerts", "list", "--severity", "urgent")]
    [InlineData("alerts", "list", "--since", "yesterday")]
    [InlineData("alerts", "list", "--ip", "10.0.0.1/8")]
    [InlineData("alerts", "list", "--status", "resolved")]
    public void BadInput_ExitsThree_WithOneLine(params string[] args)
    {
        var run = CliRun.Of([.. args, "--db", _db]);

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("tunnelguard: ", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Trim().Split('\n'));
    }

    [Fact]
    public void MissingStore_ExitsThree_AndCreatesNothing()
    {
        var missing = _dir.File("none.db");

        var run = CliRun.Of("alerts", "list", "--db", missing);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no alert store here", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Theory]
    [InlineData("alerts", "ack", "tg-x")]
    [InlineData("alerts", "list", "--format", "xml")]
    [InlineData("alerts", "frobnicate")]
    public void BadUsage_ExitsTwo(params string[] args)
    {
        Assert.Equal(2, CliRun.Of([.. args, "--db", _db]).ExitCode);
    }
}
