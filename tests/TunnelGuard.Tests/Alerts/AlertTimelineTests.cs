using System.Text.Json;
using Microsoft.Data.Sqlite;
using TunnelGuard.Alerts;
using TunnelGuard.Classification;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Rules;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

/// <summary>`alerts show` tells the connection's story: its verdict changes, the one the rule decided on, and why.</summary>
public sealed class AlertTimelineTests
{
    private const long T0 = TestReports.MondayTenUtc;
    private const string Policy = "rules:\n  - { id: reverse, match: { label: forward-remote }, alert: { severity: high, title: Reverse tunnel } }\n";

    private static readonly VerdictChange Unknown = Change(1.5, "unknown", 0.3);
    private static readonly VerdictChange Reverse = Change(4.0, "forward-remote", 0.8);
    private static readonly VerdictChange Surer = Change(9.0, "forward-remote", 0.95);

    [Fact]
    public void MonitorStyle_AlertOnAVerdictChange_TimelineGrowsUntilTheConnectionEnds_AndShowMarksTheDecision()
    {
        using var dir = new TempDirectory();
        var db = dir.File("alerts.db");
        var engine = new RuleEngine(RuleLoader.Parse("p.yaml", Policy).RuleSet!);
        string id;
        using (var store = AlertStore.Open(db))
        {
            var sink = new AlertingConnectionSink(null, engine, store, [], sensor: "eth0");

            // What the monitor does: rules on each verdict change of the open connection, then on its end.
            sink.Evaluate(Report([Unknown], ongoing: true));
            sink.Evaluate(Report([Unknown, Reverse], ongoing: true));
            sink.OnConnection(Report([Unknown, Reverse, Surer], ongoing: false));

            Assert.Equal(1, sink.Raised);
            id = AlertFactory.StableId("reverse", Report([], ongoing: false), "eth0");
            Assert.Equal([1.5, 4.0, 9.0], store.Get(id)!.Timeline.Select(c => c.AfterSeconds));
        }

        var show = CliRun.Of("alerts", "show", id, "--db", db);
        var json = CliRun.Of("alerts", "show", id, "--db", db, "--format", "jsonl");

        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("timeline     2026-11-23T10:00:01.500000Z  +1.500s  unknown (0.30)", show.OutLines);
        Assert.Contains("             2026-11-23T10:00:04.000000Z  +4.000s  forward-remote (0.80)  <- rule decided here", show.OutLines);
        Assert.Contains("             2026-11-23T10:00:09.000000Z  +9.000s  forward-remote (0.95)", show.OutLines);
        Assert.Contains("rule         reverse (high): Reverse tunnel", show.OutLines);
        Assert.Contains("why          - label forward-remote is one of [forward-remote]", show.OutLines);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal(["unknown", "forward-remote", "forward-remote"], root.GetProperty("timeline").EnumerateArray().Select(c => c.GetProperty("label").GetString()));

        // The alert as raised carries the changes known then.
        Assert.Equal(2, root.GetProperty("verdict").GetProperty("changes").GetArrayLength());
    }

    [Fact]
    public void AddVerdictChanges_IgnoresKnownChanges_AndUnknownAlerts()
    {
        using var dir = new TempDirectory();
        using var store = AlertStore.Open(dir.File("a.db"));
        var engine = new RuleEngine(RuleLoader.Parse("p.yaml", Policy).RuleSet!);
        var report = Report([Unknown, Reverse], ongoing: true);
        var alert = AlertFactory.Create(engine.Evaluate(report).Hits.Single(), report, T0);

        Assert.True(store.TryAdd(alert));
        Assert.Equal(1, store.AddVerdictChanges(alert.Id, [Unknown, Reverse, Surer]));
        Assert.Equal(0, store.AddVerdictChanges("tg-00000000000000000000", [Surer]));
        Assert.Equal(3, store.Get(alert.Id)!.Timeline.Count);
    }

    [Fact]
    public void Version1File_IsMigrated_KeepsItsAlerts_AndShowSaysTheTimelineWasNotRecorded()
    {
        using var dir = new TempDirectory();
        var db = dir.File("v1.db");
        var old = TestAlerts.Make(ruleId: "reverse");
        WriteVersion1Store(db, old);

        using (var store = AlertStore.Open(db))
        {
            Assert.Equal(1, store.Count());
            Assert.Empty(store.Get(old.Id)!.Timeline);
            var report = Report([Unknown, Reverse], ongoing: false);
            var engine = new RuleEngine(RuleLoader.Parse("p.yaml", Policy).RuleSet!);
            var fresh = AlertFactory.Create(engine.Evaluate(report).Hits.Single(), report, T0, sensor: "new");
            Assert.True(store.TryAdd(fresh));
            Assert.Equal(2, store.Get(fresh.Id)!.Timeline.Count);
        }

        Assert.Equal(2L, UserVersion(db));
        var show = CliRun.Of("alerts", "show", old.Id, "--db", db);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("timeline     (not recorded: stored by a version without timelines)", show.OutLines);
    }

    private static VerdictChange Change(double after, string label, double confidence) =>
        new(T0 + (long)(after * 1_000_000), after, new Verdict(label, confidence, [], [label], after));

    private static ConnectionReport Report(VerdictChange[] changes, bool ongoing)
    {
        var last = changes.Length == 0 ? Reverse : changes[^1];
        var report = TestReports.Ssh(label: last.Verdict.Label, confidence: last.Verdict.Confidence, decidedAfter: last.AfterSeconds);
        return report with { VerdictChanges = changes, Ongoing = ongoing };
    }

    private static long UserVersion(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A store as version 1 of the schema wrote it (before verdict_changes), holding one alert.</summary>
    private static void WriteVersion1Store(string db, Alert alert)
    {
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE alerts (id TEXT PRIMARY KEY, time_us INTEGER NOT NULL, rule_id TEXT NOT NULL, severity INTEGER NOT NULL,
                title TEXT NOT NULL, action TEXT NOT NULL, client_ip TEXT NOT NULL, client_port INTEGER NOT NULL, server_ip TEXT NOT NULL,
                server_port INTEGER NOT NULL, label TEXT NOT NULL, confidence REAL NOT NULL, source TEXT, status TEXT NOT NULL, json TEXT NOT NULL);
            CREATE INDEX alerts_time ON alerts (time_us);
            CREATE INDEX alerts_status ON alerts (status, time_us);
            CREATE TABLE alert_notes (seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts (id),
                at_us INTEGER NOT NULL, status TEXT NOT NULL, note TEXT);
            CREATE INDEX alert_notes_alert ON alert_notes (alert_id);
            PRAGMA user_version = 1;
            INSERT INTO alerts VALUES ($id, $time, 'reverse', 3, 'Tunnel', 'alert', '198.18.1.1', 40000, '198.18.1.2', 22, 'forward-remote', 0.9, 'test.pcap', 'open', $json);
            """;
        command.Parameters.AddWithValue("$id", alert.Id);
        command.Parameters.AddWithValue("$time", alert.TimeMicros);

        // Version 1 wrote the alert's JSON without verdict.changes.
        var json = System.Text.Json.Nodes.JsonNode.Parse(AlertJsonWriter.ToJson(alert))!;
        json["verdict"]!.AsObject().Remove("changes");
        command.Parameters.AddWithValue("$json", json.ToJsonString());
        command.ExecuteNonQuery();
    }
}
