using System.Text.Json;
using System.Text.RegularExpressions;
using TunnelGuard.Telemetry;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Telemetry;

/// <summary>The Prometheus rules and the Grafana dashboard in deploy/ are valid and name only metrics that exist.</summary>
public sealed partial class DeployFilesTests
{
    private static string Deploy(string path) => Path.Combine(RepoPaths.Root, "deploy", path);

    [Fact]
    public void PrometheusRules_PassPromtool()
    {
        var said = ProcessRunner.Run("promtool", "check", "rules", Deploy("prometheus/tunnelguard.rules.yml"));

        Assert.Contains("SUCCESS", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesAndDashboard_NameOnlyMetricsTheMonitorExports()
    {
        var exported = await ExportedMetricNames();
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Deploy("grafana/tunnelguard-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .Append(await File.ReadAllTextAsync(Deploy("prometheus/tunnelguard.rules.yml")))
            .ToList();

        var used = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Distinct().ToList();

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(StripSuffix(name), exported));
    }

    private static async Task<HashSet<string>> ExportedMetricNames()
    {
        var metrics = new TunnelGuardMetrics();
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        return [.. text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2])];
    }

    private static string StripSuffix(string name) =>
        name.EndsWith("_bucket", StringComparison.Ordinal) ? name[..^7] : name;

    [GeneratedRegex(@"tunnelguard_[a-z_]+")]
    private static partial Regex MetricName();
}
