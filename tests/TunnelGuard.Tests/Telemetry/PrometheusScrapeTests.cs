using System.Diagnostics;
using System.Text.Json;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Telemetry;

/// <summary>A real Prometheus server (Debian's) scrapes a live monitor in a namespace; its query answers the counts.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public void Prometheus_ScrapesTheMonitor_AndCountsSshConnectionsByVerdict()
    {
        using var server = new NetnsSshd(port: 2022);
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("prometheus.yml"), """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: tunnelguard
                static_configs:
                  - targets: ["127.0.0.1:9464"]
            """);
        var monitor = server.StartInNamespace("dotnet", Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll"), "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120");
        var prometheus = server.StartInNamespace(
            "prometheus", $"--config.file={dir.File("prometheus.yml")}", $"--storage.tsdb.path={dir.File("data")}",
            "--web.listen-address=127.0.0.1:9090");
        _ = prometheus.StandardError.ReadToEndAsync();
        _ = monitor.StandardOutput.ReadToEndAsync();
        ProcessRunner.WaitForLine(monitor.StandardError, "metrics on http://127.0.0.1:9464/metrics");
        _ = monitor.StandardError.ReadToEndAsync();

        server.Ssh("echo one");
        server.Ssh("echo two");

        var clock = Stopwatch.StartNew();
        var value = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && value != "2")
        {
            Thread.Sleep(1000);
            value = Query(server, "tunnelguard_ssh_connections_total{verdict=\"exec\"}") ?? string.Empty;
        }

        Assert.Equal("2", value);
        Assert.Equal("0", Query(server, "tunnelguard_ssh_connections_total{verdict=\"forward-remote\"}"));
    }

    private static string? Query(NetnsSshd server, string query)
    {
        string body;
        try
        {
            body = ProcessRunner.Run("ip", "netns", "exec", server.Namespace, "curl", "-s", "-G", "http://127.0.0.1:9090/api/v1/query", "--data-urlencode", $"query={query}");
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        if (body.Length == 0)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(body);
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null : result[0].GetProperty("value")[1].GetString();
    }
}
