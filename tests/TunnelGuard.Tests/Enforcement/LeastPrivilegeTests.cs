using System.Diagnostics;
using System.Globalization;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Enforcement;

/// <summary>
/// Issue 7, "Privilege": the monitor needs neither root nor any capability beyond CAP_NET_RAW (capture) and
/// CAP_NET_ADMIN (nftables), and serves metrics on loopback unless told otherwise. Root only (it makes namespaces and
/// drops to nobody with setpriv).
/// </summary>
public sealed class LeastPrivilegeTests
{
    // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13 (linux/capability.h).
    private const ulong NetAdminAndNetRaw = (1UL << 12) | (1UL << 13);

    [Fact]
    public void Monitor_AsNobodyWithOnlyNetRawAndNetAdmin_CapturesAndBlocksWithNftables()
    {
        using var host = new NetnsSshd(twoHosts: true);
        using var dir = new TempDirectory();
        var monitor = StartEnforcingAsNobody(host, dir, Unprivileged.MonitorCapabilities);
        var stderr = Collect(monitor.StandardError);
        WaitFor(stderr, "listening on", TimeSpan.FromSeconds(30));

        var status = File.ReadAllLines($"/proc/{monitor.Id.ToString(CultureInfo.InvariantCulture)}/status");
        var session = new TickingSession(host);
        WaitFor(stderr, "blocked 198.18.6.1 with nftables", TimeSpan.FromSeconds(60));
        var atBlock = session.Ticks;
        var silent = session.FallsSilent(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));

        Assert.Equal("65534", Field(status, "Uid:").Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.Equal(NetAdminAndNetRaw, Caps(status, "CapEff:"));
        Assert.Equal(NetAdminAndNetRaw, Caps(status, "CapBnd:"));
        Assert.True(silent, $"the session kept printing after the block ({atBlock} lines, then {session.Ticks})");
        Assert.True(session.Ticks > 0, "the session printed nothing at all");
        Assert.Contains("198.18.6.1", ProcessRunner.Run("ip", "netns", "exec", host.Namespace, "nft", "list", "set", "inet", "tunnelguard", "addr4"), StringComparison.Ordinal);
        ProcessRunner.Interrupt(monitor);
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Equal(0, monitor.ExitCode);
        Assert.Contains("\"event_type\":\"alert\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_AsNobodyWithNetRawButNotNetAdmin_RefusesToEnforce_AndSaysWhy()
    {
        using var host = new NetnsSshd(twoHosts: true);
        using var dir = new TempDirectory();
        var monitor = StartEnforcingAsNobody(host, dir, "+net_raw", "--metrics", "off");
        var said = monitor.StandardError.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000));

        // Found at start, not at the first block: the monitor does not run with an enforcement it cannot carry out.
        Assert.Equal(3, monitor.ExitCode);
        var error = Assert.Single(said.Split('\n'), l => l.Contains("CAP_NET_ADMIN", StringComparison.Ordinal));
        Assert.StartsWith("tunnelguard: nft -f - failed (exit 1): ", error, StringComparison.Ordinal);
        Assert.EndsWith("Operation not permitted (changing the firewall needs root or CAP_NET_ADMIN)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", said, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_ByDefault_ServesMetricsOnLoopbackOnly()
    {
        using var host = new NetnsSshd(twoHosts: true);
        var monitor = host.StartInNamespace("dotnet", Unprivileged.Cli, "monitor", "-i", host.ServerInterface, "--format", "jsonl", "--duration", "60");
        var stderr = Collect(monitor.StandardError);
        WaitFor(stderr, "listening on", TimeSpan.FromSeconds(30));

        var listening = ProcessRunner.Run("ip", "netns", "exec", host.Namespace, "ss", "-Hltn", "sport = :9464");
        var local = ProcessRunner.Run("ip", "netns", "exec", host.Namespace, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9464/metrics");
        var fromClient = Run("ip", "netns", "exec", host.ClientNamespace, "curl", "-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}", $"http://{NetnsSshd.ServerAddress}:9464/metrics");

        Assert.Contains("metrics on http://127.0.0.1:9464/metrics", Text(stderr), StringComparison.Ordinal);
        var socket = Assert.Single(listening.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("127.0.0.1:9464", socket, StringComparison.Ordinal);
        Assert.Equal("200", local);
        Assert.NotEqual(0, fromClient.ExitCode);
        Assert.Equal("000", fromClient.Output);
    }

    /// <summary>
    /// `monitor --rules --enforce --firewall nftables` on the server's veth as nobody with the given capabilities, the
    /// policy blocking every use, its store in a folder nobody owns.
    /// </summary>
    private static Process StartEnforcingAsNobody(NetnsSshd host, TempDirectory dir, string capabilities, params string[] extra)
    {
        File.WriteAllText(dir.File("policy.yaml"), LiveEnforcementTests.BlockEveryUse);
        var state = Directory.CreateDirectory(dir.File("state")).FullName;
        ProcessRunner.Run("chmod", "a+rX", dir.Path);
        ProcessRunner.Run("chown", "nobody", state);
        return host.StartInNamespace("env", Unprivileged.Command(
            capabilities, Unprivileged.ReadableCli(dir), ["monitor", "-i", host.ServerInterface, "--format", "jsonl", "--duration", "120",
            "--rules", dir.File("policy.yaml"), "--db", Path.Combine(state, "alerts.db"), "--enforce", "--firewall", "nftables", .. extra]));
    }

    private static List<string> Collect(StreamReader reader)
    {
        var lines = new List<string>();
        _ = Task.Run(() =>
        {
            while (reader.ReadLine() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        return lines;
    }

    private static string Text(List<string> lines)
    {
        lock (lines)
        {
            return string.Join('\n', lines);
        }
    }

    private static void WaitFor(List<string> lines, string text, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && !Text(lines).Contains(text, StringComparison.Ordinal))
        {
            Thread.Sleep(100);
        }

        Assert.True(Text(lines).Contains(text, StringComparison.Ordinal), $"never saw '{text}' in:\n{Text(lines)}");
    }

    private static string Field(string[] status, string name) => status.Single(l => l.StartsWith(name, StringComparison.Ordinal));

    private static ulong Caps(string[] status, string name) => ulong.Parse(Field(status, name)[name.Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
