using TunnelGuard.Cli.Monitor;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Cli;

/// <summary>The monitor's settings layers (file, environment, flags) and their start-up checks, before any capture starts.</summary>
public sealed class MonitorConfigurationTests
{
    [Fact]
    public void SettingsFile_IsRead_AndFlagsReplaceItsLists()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("appsettings.json"), """
            {
              "Monitor": {
                "Interfaces": [ "eth0", "eth1" ],
                "Rules": "/etc/tunnelguard/rules",
                "Enforce": true,
                "Enforcement": { "IgnoreNetworks": [ "198.18.100.0/24" ], "MaxNewBlocksPerMinute": 5 },
                "FlowTable": { "MaxFlows": 4096 }
              }
            }
            """);

        var settings = MonitorConfiguration.Load(dir.File("appsettings.json"), s => s.Interfaces = ["veth9"], out _, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(settings);
        Assert.Equal(["veth9"], settings.Interfaces);
        Assert.Equal("/etc/tunnelguard/rules", settings.Rules);
        Assert.True(settings.Enforce);
        Assert.Equal(["198.18.100.0/24"], settings.Enforcement.IgnoreNetworks);
        Assert.Equal(5, settings.Enforcement.MaxNewBlocksPerMinute);
        Assert.Equal(4096, settings.FlowTable.MaxFlows);
        Assert.Equal("127.0.0.1:9464", settings.Metrics);
    }

    [Fact]
    public void ShippedSettingsFile_IsValid_AndTheUnitFileUsesIt()
    {
        var settings = MonitorConfiguration.Load(Path.Combine(RepoPaths.Root, "deploy", "tunnelguard", "appsettings.json"), _ => { }, out _, out var errors);
        var unit = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "systemd", "tunnelguard.service"));

        Assert.Empty(errors);
        Assert.True(settings!.Enforce);
        Assert.Equal(["192.0.2.0/24"], settings.Enforcement.IgnoreNetworks);
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
        Assert.Contains("monitor --config /etc/tunnelguard/appsettings.json", unit, StringComparison.Ordinal);
        Assert.Contains("CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN", unit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ssh-vlan.pcap")]
    [InlineData("ssh-qinq.pcap")]
    public void DefaultCaptureFilter_PassesTaggedFrames_ThatPlainTcpMisses(string capture)
    {
        // libpcap compiles the filter the same way for a file as for a live interface; tcpdump applies it.
        int Count(string filter) => ProcessRunner.Run("tcpdump", "-r", RepoPaths.Pcap(capture), "-nn", filter).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

        var all = Count(string.Empty);
        Assert.True(all > 0);
        Assert.Equal(0, Count("tcp"));
        Assert.Equal(all, Count(new MonitorSettings().Filter));
    }

    [Fact]
    public void BrokenJson_IsReported_WithFileAndLine()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.json"), "{\n  \"Monitor\": {\n    \"Interfaces\": [ \"lo\" ],,\n  }\n}\n");

        var run = CliRun.Of("monitor", "--config", dir.File("bad.json"));

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"{dir.File("bad.json")}:3: not valid JSON", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownSetting_AndBadValues_AreEachNamed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.json"), """{ "Monitor": { "Interfaces": [ "lo" ], "Intrefaces": [ "eth0" ] } }""");
        File.WriteAllText(dir.File("b.json"), """{ "Monitor": { "Interfaces": [ "lo" ], "Enforce": true, "Metrics": "nowhere", "Enforcement": { "IgnoreNetworks": [ "10.0.0.0/33" ] } } }""");

        var unknown = CliRun.Of("monitor", "--config", dir.File("a.json"));
        var bad = CliRun.Of("monitor", "--config", dir.File("b.json"));

        Assert.Equal(3, unknown.ExitCode);
        Assert.Contains("'Intrefaces'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("--enforce and --dry-run need --rules DIR", bad.Error, StringComparison.Ordinal);
        Assert.Contains("--metrics 'nowhere': expected HOST:PORT", bad.Error, StringComparison.Ordinal);
        Assert.Contains("'10.0.0.0/33' is not a CIDR network", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoInterfaceAnywhere_IsAClearError()
    {
        var run = CliRun.Of("monitor", "--duration", "1");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no interface to capture on", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1001")]
    public void BlockTimeout_OutOfRange_IsAClearError(string milliseconds)
    {
        var run = CliRun.Of("monitor", "-i", "lo", "--block-timeout", milliseconds, "--metrics", "off");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"--block-timeout {milliseconds} (Monitor:CaptureBlockTimeoutMilliseconds): expected 0 (immediate mode) or 1 to 1000 milliseconds (default 10)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BlockTimeout_FromTheSettingsFile_IsBound()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("appsettings.json"), """{ "Monitor": { "Interfaces": [ "lo" ], "CaptureBlockTimeoutMilliseconds": 0 } }""");

        var settings = MonitorConfiguration.Load(dir.File("appsettings.json"), _ => { }, out _, out var errors);

        Assert.Empty(errors);
        Assert.Equal(0, settings!.CaptureBlockTimeoutMilliseconds);
    }

    [Fact]
    public void MissingConfigFile_IsNamed()
    {
        var run = CliRun.Of("monitor", "--config", "/nonexistent/tunnelguard.json", "-i", "lo");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("/nonexistent/tunnelguard.json: configuration file not found", run.Error, StringComparison.Ordinal);
    }
}
