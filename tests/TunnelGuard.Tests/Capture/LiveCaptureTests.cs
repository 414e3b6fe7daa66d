using System.Text.Json;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Capture;

/// <summary>
/// Real libpcap capture: `tunnelguard monitor` runs inside a network namespace on its loopback while a real OpenSSH
/// client talks to a real sshd there. Needs root (CI runs as root).
/// </summary>
public sealed class LiveCaptureTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll");

    [Fact]
    public void Monitor_OnLoopback_ReportsTheLiveSshConnectionWithItsFingerprints()
    {
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120");
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");

        var said = server.Ssh("echo live-capture-works");
        ProcessRunner.Interrupt(monitor);
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000), "monitor did not stop after SIGINT");

        Assert.Equal("live-capture-works", said.Trim());
        Assert.Equal(0, monitor.ExitCode);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal("ssh", root.GetProperty("event_type").GetString());
        Assert.Equal(2022, root.GetProperty("dest_port").GetInt32());
        Assert.Equal("127.0.0.1", root.GetProperty("src_ip").GetString());
        Assert.StartsWith("OpenSSH_", root.GetProperty("ssh").GetProperty("server").GetProperty("software_version").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("ssh").GetProperty("client").GetProperty("hassh").GetString());
        Assert.Equal("key_exchange", root.GetProperty("ssh").GetProperty("roles_from").GetString());
    }

    [Fact]
    public void Monitor_InImmediateMode_ReportsTheLiveSshConnection()
    {
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "lo", "--block-timeout", "0", "--format", "jsonl", "--duration", "120", "--metrics", "off");
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");

        server.Ssh("echo immediate");
        ProcessRunner.Interrupt(monitor);
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000), "monitor did not stop after SIGINT");

        Assert.Equal(0, monitor.ExitCode);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal(2022, doc.RootElement.GetProperty("dest_port").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", doc.RootElement.GetProperty("ssh").GetProperty("client").GetProperty("hassh").GetString());
    }

    [Fact]
    public void Monitor_ServesPrometheusMetrics_CountingSshConnectionsByVerdict()
    {
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "127.0.0.1:9464");
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");

        server.Ssh("echo metrics");
        string scraped = string.Empty;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(40) && !scraped.Contains("tunnelguard_ssh_connections_total{verdict=\"exec\"} 1", StringComparison.Ordinal))
        {
            Thread.Sleep(500);
            try
            {
                scraped = ProcessRunner.Run("ip", "netns", "exec", server.Namespace, "curl", "-s", "http://127.0.0.1:9464/metrics");
            }
            catch (InvalidOperationException)
            {
                // Not listening yet on a loaded machine: try again.
            }
        }

        Assert.Contains("tunnelguard_ssh_connections_total{verdict=\"exec\"} 1", scraped, StringComparison.Ordinal);
        Assert.Contains("tunnelguard_ssh_connections_total{verdict=\"forward-remote\"} 0", scraped, StringComparison.Ordinal);
        Assert.Matches(@"tunnelguard_packets_total [1-9]\d*", scraped);
        Assert.Contains("tunnelguard_capture_drops_total{where=\"queue\"} 0", scraped, StringComparison.Ordinal);
        Assert.Contains("tunnelguard_verdict_latency_seconds_count{verdict=\"exec\"} 1", scraped, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_AsNobodyWithOnlyNetRawAndNetAdmin_ReportsTheSshConnection()
    {
        using var server = new NetnsSshd(port: 2022);
        using var scratch = new TempDirectory();
        var monitor = server.StartInNamespace(
            "env", Unprivileged.Command(Unprivileged.MonitorCapabilities, Unprivileged.ReadableCli(scratch), "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "off"));
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");

        server.Ssh("echo unprivileged");
        ProcessRunner.Interrupt(monitor);
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000));

        Assert.Equal(0, monitor.ExitCode);
        Assert.Contains("\"event_type\":\"ssh\"", Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_AsNobodyWithoutCapabilities_ExitsThreeSayingWhatItNeeds()
    {
        using var server = new NetnsSshd(port: 2022);
        using var scratch = new TempDirectory();
        var monitor = server.StartInNamespace(
            "env", Unprivileged.Command(null, Unprivileged.ReadableCli(scratch), "monitor", "-i", "lo", "--duration", "2", "--metrics", "off"));
        var stderr = monitor.StandardError.ReadToEnd();
        Assert.True(monitor.WaitForExit(20_000));

        Assert.Equal(3, monitor.ExitCode);
        Assert.Contains("cannot capture on 'lo'", stderr, StringComparison.Ordinal);
        Assert.Contains("CAP_NET_RAW", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_StoppedWhileFramesArrive_CountsTheKernelRingDrops()
    {
        // The monitor is stopped (SIGSTOP) while 5,000 UDP datagrams cross the namespace's loopback: in immediate mode
        // (--block-timeout 0) libpcap's ring for lo (64 KiB slots, MTU 65536) holds a few hundred of them, so the kernel
        // must drop the rest and say so. SharpPcap's own statistics reported 0 kernel drops on 64-bit Linux whatever
        // happened. (The default 10 ms blocks pack these small frames and hold all 5,000.)
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "lo", "--block-timeout", "0", "--filter", "udp", "--format", "jsonl", "--duration", "120", "--metrics", "off");
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on lo");
        var pid = monitor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        ProcessRunner.Run("kill", "-STOP", pid);
        try
        {
            ProcessRunner.Run("ip", "netns", "exec", server.Namespace, "bash", "-c", "for i in {1..5000}; do printf x >/dev/udp/127.0.0.1/9; done");
        }
        finally
        {
            ProcessRunner.Run("kill", "-CONT", pid);
        }

        ProcessRunner.Interrupt(monitor);
        var stderr = monitor.StandardError.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000), "monitor did not stop after SIGINT");

        var stopped = System.Text.RegularExpressions.Regex.Match(
            stderr, @"stopped: (\d+) packets analysed; libpcap received (\d+), dropped (\d+) in the kernel .*; of those handed over, (\d+) dropped by a full queue");
        Assert.True(stopped.Success, stderr);
        var analysed = long.Parse(stopped.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var received = long.Parse(stopped.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var kernel = long.Parse(stopped.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(received >= 5000, stopped.Value);
        Assert.True(kernel > 0, stopped.Value);
        Assert.True(analysed + kernel <= received, stopped.Value);
        Assert.Equal("0", stopped.Groups[4].Value);
    }

    [Fact]
    public void Monitor_UnknownInterface_ExitsThree_ListingTheAvailableOnes()
    {
        using var server = new NetnsSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "nosuch0", "--duration", "1");
        var stderr = monitor.StandardError.ReadToEnd();
        monitor.WaitForExit(20_000);

        Assert.Equal(3, monitor.ExitCode);
        Assert.Contains("no such interface 'nosuch0' (available:", stderr, StringComparison.Ordinal);
        Assert.Contains("lo", stderr, StringComparison.Ordinal);
    }
}
