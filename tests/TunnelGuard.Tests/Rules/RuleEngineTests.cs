using TunnelGuard.Decoding;
using TunnelGuard.Rules;

namespace TunnelGuard.Tests.Rules;

public sealed class RuleEngineTests
{
    private const long Minute = 60_000_000;

    [Fact]
    public void EveryMatchingRuleFires_InFileOrder()
    {
        var engine = Engine("""
            rules:
              - { id: second-by-name, match: { label: forward-remote }, alert: { severity: low } }
              - { id: any-tunnel, match: { label: [forward-remote, forward-local] }, alert: { severity: high } }
              - { id: not-this, match: { label: exec }, alert: { severity: high } }
            """);

        var result = engine.Evaluate(TestReports.Ssh(label: "forward-remote"));

        Assert.Equal(["second-by-name", "any-tunnel"], result.Hits.Select(h => h.Rule.Id));
        Assert.Null(result.AllowedBy);
    }

    [Fact]
    public void FilesAreEvaluatedInNameOrder()
    {
        using var dir = new Support.TempDirectory();
        File.WriteAllText(dir.File("20-alerts.yaml"), "rules:\n  - { id: alert-all, alert: { severity: low } }\n");
        File.WriteAllText(dir.File("10-allow.yaml"), "rules:\n  - { id: allow-all, allow: true }\n");
        File.WriteAllText(dir.File("notes.txt"), "not rules");

        var result = RuleLoader.Load(dir.Path);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["allow-all", "alert-all"], result.RuleSet!.Rules.Select(r => r.Id));
        Assert.Empty(new RuleEngine(result.RuleSet).Evaluate(TestReports.Ssh()).Hits);
    }

    [Fact]
    public void Allow_StopsEvaluation_RulesBeforeItStillFire()
    {
        var engine = Engine("""
            rules:
              - { id: log-all-tunnels, match: { label: forward-remote }, alert: { severity: low } }
              - { id: admins, match: { client: 10.20.0.0/16 }, allow: true }
              - { id: reverse, match: { label: forward-remote }, alert: { severity: high }, block: { target: client, duration: 1h } }
            """);

        var admin = engine.Evaluate(TestReports.Ssh(client: "10.20.3.4"));
        var other = engine.Evaluate(TestReports.Ssh(client: "10.30.3.4"));

        Assert.Equal(["log-all-tunnels"], admin.Hits.Select(h => h.Rule.Id));
        Assert.Equal("admins", admin.AllowedBy?.Rule.Id);
        Assert.Equal(["log-all-tunnels", "reverse"], other.Hits.Select(h => h.Rule.Id));
        Assert.Null(other.AllowedBy);
    }

    [Fact]
    public void Suppression_SameRuleSamePair_AlertsOncePerWindow_InPacketTime()
    {
        var engine = Engine("rules:\n  - { id: r, alert: { severity: high }, suppress: 10m }\n");
        var t0 = TestReports.MondayTenUtc;

        bool Raises(long at, string client = "198.18.1.1", string server = "198.18.1.2", ushort port = 40000) =>
            engine.Evaluate(TestReports.Ssh(client: client, server: server, clientPort: port, firstSeenMicros: at, decidedAfter: 0)).Hits.Single().RaisesAlert;

        Assert.True(Raises(t0));
        Assert.False(Raises(t0 + Minute, port: 40001));
        Assert.True(Raises(t0 + Minute, client: "198.18.1.9"));
        Assert.True(Raises(t0 + Minute, server: "198.18.1.9"));
        Assert.False(Raises(t0 + (10 * Minute) - 1));
        Assert.True(Raises(t0 + (10 * Minute)));
        Assert.False(Raises(t0 + (11 * Minute)));

        // Captures replayed in name order can step back in time: the window is symmetric.
        Assert.False(Raises(t0 + Minute));
        Assert.True(Raises(t0 - Minute));
    }

    [Fact]
    public void Suppression_Zero_AlertsEveryTime()
    {
        var engine = Engine("rules:\n  - { id: r, alert: { severity: high }, suppress: 0 }\n");

        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(engine.Evaluate(TestReports.Ssh()).Hits.Single().RaisesAlert));
    }

    [Fact]
    public void Suppression_IsPerRule()
    {
        var engine = Engine("rules:\n  - { id: a, alert: { severity: high } }\n  - { id: b, alert: { severity: low } }\n");

        engine.Evaluate(TestReports.Ssh());
        var second = engine.Evaluate(TestReports.Ssh());
        var third = new RuleEngine(engine.Rules).Evaluate(TestReports.Ssh());

        Assert.All(second.Hits, h => Assert.True(h.Suppressed));
        Assert.All(third.Hits, h => Assert.True(h.RaisesAlert));
    }

    [Fact]
    public void Block_Escalates_OnRepeat_UpToMax()
    {
        var engine = Engine("""
            rules:
              - id: r
                alert: { severity: high }
                block: { target: client, duration: 1h, escalation: { factor: 3, max: 12h } }
            """);

        var durations = Enumerable.Range(0, 5)
            .Select(i => engine.Evaluate(TestReports.Ssh(firstSeenMicros: TestReports.MondayTenUtc + (i * Minute))).Hits.Single().Block!)
            .ToList();
        var otherClient = engine.Evaluate(TestReports.Ssh(client: "198.18.7.7")).Hits.Single().Block!;

        Assert.Equal([1, 3, 9, 12, 12], durations.Select(b => b.Duration.TotalHours));
        Assert.Equal([0, 1, 2, 3, 4], durations.Select(b => b.Repeat));
        Assert.Equal(1, otherClient.Duration.TotalHours);
        Assert.Equal([IpAddress.Parse("198.18.7.7")], otherClient.Addresses);
    }

    [Fact]
    public void Block_WithoutEscalation_KeepsItsDuration()
    {
        var engine = Engine("rules:\n  - { id: r, block: { target: pair, duration: 30m } }\n");

        var first = engine.Evaluate(TestReports.Ssh()).Hits.Single().Block!;
        var second = engine.Evaluate(TestReports.Ssh()).Hits.Single().Block!;

        Assert.Equal(TimeSpan.FromMinutes(30), second.Duration);
        Assert.Equal(1, second.Repeat);
        Assert.Equal([IpAddress.Parse("198.18.1.1"), IpAddress.Parse("198.18.1.2")], first.Addresses);
    }

    [Fact]
    public void Block_TargetServer_BlocksTheServerAddress()
    {
        var engine = Engine("rules:\n  - { id: r, block: { target: server, duration: 1h } }\n");

        var block = engine.Evaluate(TestReports.Ssh(server: "2001:db8::22", client: "2001:db8::1")).Hits.Single().Block!;

        Assert.Equal(BlockTarget.Server, block.Target);
        Assert.Equal([IpAddress.Parse("2001:db8::22")], block.Addresses);
    }

    private static RuleEngine Engine(string yaml)
    {
        var result = RuleLoader.Parse("t.yaml", yaml);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return new RuleEngine(result.RuleSet!);
    }
}
