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
        using var server = new LoopbackSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "6");
        WaitForLine(monitor.StandardError, "listening on lo");

        var said = server.Ssh("echo live-capture-works");
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(20_000), "monitor did not stop after --duration");

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
    public void Monitor_UnknownInterface_ExitsThree_ListingTheAvailableOnes()
    {
        using var server = new LoopbackSshd(port: 2022);
        var monitor = server.StartInNamespace("dotnet", Cli, "monitor", "-i", "nosuch0", "--duration", "1");
        var stderr = monitor.StandardError.ReadToEnd();
        monitor.WaitForExit(20_000);

        Assert.Equal(3, monitor.ExitCode);
        Assert.Contains("no such interface 'nosuch0' (available:", stderr, StringComparison.Ordinal);
        Assert.Contains("lo", stderr, StringComparison.Ordinal);
    }

    private static void WaitForLine(StreamReader reader, string text)
    {
        var read = Task.Run(() =>
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        });
        Assert.True(read.Wait(TimeSpan.FromSeconds(20)) && read.Result, $"never saw '{text}'");
    }
}
