using TunnelGuard.Alerts;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Rules;

namespace TunnelGuard.Tests.Alerts;

/// <summary>Alerts made the way the pipeline makes them: a rule fires on a constructed report.</summary>
internal static class TestAlerts
{
    public static Alert Make(
        string ruleId = "reverse-tunnel",
        string severity = "high",
        string client = "198.18.1.1",
        string server = "198.18.1.2",
        ushort clientPort = 40000,
        long firstSeenMicros = TestReports.MondayTenUtc,
        string label = "forward-remote",
        bool block = false)
    {
        var yaml = $"rules:\n  - id: {ruleId}\n    match: {{ label: {label} }}\n    alert: {{ severity: {severity}, title: \"Tunnel from {client}\" }}\n"
            + (block ? "    block: { target: client, duration: 1h }\n" : string.Empty);
        var result = RuleLoader.Parse("t.yaml", yaml);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var report = TestReports.Ssh(label: label, client: client, server: server, clientPort: clientPort, firstSeenMicros: firstSeenMicros);
        var evaluation = new RuleEngine(result.RuleSet!).Evaluate(report);
        return AlertFactory.Create(evaluation.Hits.Single(), report, evaluation.DecisionMicros);
    }
}
