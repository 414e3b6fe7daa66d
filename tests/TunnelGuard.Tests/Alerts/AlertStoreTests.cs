using Microsoft.Data.Sqlite;
using TunnelGuard.Alerts;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Rules;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

public sealed class AlertStoreTests
{
    private const long Hour = 3_600_000_000;

    [Fact]
    public void Open_UsesWal_OnARealFile()
    {
        using var dir = new TempDirectory();
        using var store = AlertStore.Open(dir.File("sub/alerts.db"));

        Assert.Equal("wal", store.JournalMode);
        Assert.True(File.Exists(dir.File("sub/alerts.db")));
    }

    [Fact]
    public void RoundTrip_ThroughTheFile_KeepsEveryColumnAndTheJson()
    {
        using var dir = new TempDirectory();
        var alert = TestAlerts.Make(block: true, client: "2001:db8::7", server: "2001:db8::22");
        using (var store = AlertStore.Open(dir.File("a.db")))
        {
            Assert.True(store.TryAdd(alert));
            Assert.False(store.TryAdd(alert));
        }

        using var reopened = AlertStore.Open(dir.File("a.db"));
        var record = reopened.Get(alert.Id)!;

        Assert.Equal(1, reopened.Count());
        Assert.Equal(alert.Id, record.Id);
        Assert.Equal(alert.TimeMicros, record.TimeMicros);
        Assert.Equal("reverse-tunnel", record.RuleId);
        Assert.Equal(AlertSeverity.High, record.Severity);
        Assert.Equal("block", record.Action);
        Assert.Equal(alert.Client, record.Client);
        Assert.Equal(alert.Server, record.Server);
        Assert.Equal("forward-remote", record.Label);
        Assert.Equal(0.9, record.Confidence);
        Assert.Equal("test.pcap", record.Source);
        Assert.Equal(AlertStatus.Open, record.Status);
        Assert.Equal(AlertJsonWriter.ToJson(alert), record.Json);
        Assert.Empty(record.History);
    }

    [Fact]
    public void AckAndClose_ChangeStatus_AndKeepTheHistory()
    {
        using var dir = new TempDirectory();
        using var store = AlertStore.Open(dir.File("a.db"));
        var alert = TestAlerts.Make();
        store.TryAdd(alert);

        Assert.True(store.SetStatus(alert.Id, AlertStatus.Acknowledged, "looking into it", 100));
        Assert.True(store.SetStatus(alert.Id, AlertStatus.Closed, null, 200));
        Assert.False(store.SetStatus("tg-nope", AlertStatus.Closed, null, 300));

        var record = store.Get(alert.Id)!;
        Assert.Equal(AlertStatus.Closed, record.Status);
        Assert.Equal([new AlertNote(100, AlertStatus.Acknowledged, "looking into it"), new AlertNote(200, AlertStatus.Closed, null)], record.History);
    }

    [Fact]
    public void Query_FiltersBySinceSeverityStatusRuleAndNetwork_NewestFirst()
    {
        using var dir = new TempDirectory();
        using var store = AlertStore.Open(dir.File("a.db"));
        var t0 = TestReports.MondayTenUtc;
        var old = TestAlerts.Make(ruleId: "a", severity: "critical", firstSeenMicros: t0);
        var lowV6 = TestAlerts.Make(ruleId: "a", severity: "low", client: "2001:db8::5", server: "2001:db8::22", firstSeenMicros: t0 + Hour);
        var medium = TestAlerts.Make(ruleId: "b", severity: "medium", client: "10.1.2.3", firstSeenMicros: t0 + (2 * Hour));
        var high = TestAlerts.Make(ruleId: "b", severity: "high", client: "10.9.9.9", firstSeenMicros: t0 + (3 * Hour));
        foreach (var alert in new[] { old, lowV6, medium, high })
        {
            store.TryAdd(alert);
        }

        store.SetStatus(high.Id, AlertStatus.Acknowledged, null, 1);

        string[] Ids(AlertQuery q) => [.. store.Query(q).Select(r => r.Id)];
        IpCidr Net(string text) => IpCidr.TryParse(text, out _, out var c) ? c : throw new ArgumentException(text);

        Assert.Equal([high.Id, medium.Id, lowV6.Id, old.Id], Ids(AlertQuery.All));
        Assert.Equal([high.Id, medium.Id], Ids(new AlertQuery { SinceMicros = medium.TimeMicros }));
        Assert.Equal([high.Id, old.Id], Ids(new AlertQuery { MinSeverity = AlertSeverity.High }));
        Assert.Equal([medium.Id, lowV6.Id, old.Id], Ids(new AlertQuery { Status = AlertStatus.Open }));
        Assert.Equal([lowV6.Id, old.Id], Ids(new AlertQuery { RuleId = "a" }));
        Assert.Equal([high.Id, medium.Id], Ids(new AlertQuery { Network = Net("10.0.0.0/8") }));
        Assert.Equal([lowV6.Id], Ids(new AlertQuery { Network = Net("2001:db8::22") }));
        Assert.Equal([high.Id], Ids(new AlertQuery { Limit = 1 }));
        Assert.Equal([medium.Id], Ids(new AlertQuery { Status = AlertStatus.Open, RuleId = "b" }));
    }

    [Fact]
    public async Task Reader_InAnotherConnection_SeesCommittedAlerts_WhileAWriterIsWriting()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.db");
        const int Count = 300;
        using var writerStore = AlertStore.Open(path);
        using var readerStore = AlertStore.Open(path);
        var written = 0;

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < Count; i++)
            {
                writerStore.TryAdd(TestAlerts.Make(clientPort: (ushort)(10000 + i), firstSeenMicros: TestReports.MondayTenUtc + i));
                Volatile.Write(ref written, i + 1);
            }
        });

        var seen = new List<long>();
        while (!writer.IsCompleted)
        {
            var before = Volatile.Read(ref written);
            var count = readerStore.Count();
            var listed = readerStore.Query(new AlertQuery { Status = AlertStatus.Open }).Count;
            Assert.True(count >= before, $"reader saw {count} alerts after {before} were committed");
            Assert.True(listed >= before);
            seen.Add(count);
        }

        await writer;
        Assert.Equal(Count, readerStore.Count());
        Assert.True(seen.Count > 1, "the reader never ran while the writer wrote");
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public void CommittedAlert_IsInTheFile_WithoutClosingTheStore()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.db");
        using var store = AlertStore.Open(path);
        var alert = TestAlerts.Make();

        store.TryAdd(alert);

        // A plain read-only connection (as another process would open it) finds the row.
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        other.Open();
        using var command = other.CreateCommand();
        command.CommandText = "SELECT rule_id FROM alerts WHERE id = $id";
        command.Parameters.AddWithValue("$id", alert.Id);
        Assert.Equal("reverse-tunnel", command.ExecuteScalar());
    }
}
