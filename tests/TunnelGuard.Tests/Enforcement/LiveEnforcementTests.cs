using System.Diagnostics;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Enforcement;

/// <summary>
/// The whole live path: `monitor --rules --enforce` on the SSH server's veth classifies a running OpenSSH session,
/// the policy blocks its client in nftables while the session is open, and the session's data stops. Root only.
/// </summary>
public sealed class LiveEnforcementTests
{
    /// <summary>Blocks the client of every SSH connection that gets a verdict.</summary>
    internal const string BlockEveryUse = """
        rules:
          - id: block-any-ssh
            match: { label: [interactive, exec, file-transfer, forward-local, forward-remote, forward-dynamic] }
            alert: { severity: high, title: Test block }
            block: { target: client, duration: 5m }
        """;

    [Fact]
    public void Monitor_WithEnforce_BlocksTheClientOnTheVerdict_AndTheSessionStops()
    {
        using var host = new NetnsSshd(twoHosts: true);
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("policy.yaml"), BlockEveryUse);
        var monitor = host.StartInNamespace(
            "dotnet", Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll"), "monitor", "-i", host.ServerInterface, "--format", "jsonl",
            "--duration", "120", "--metrics", "off", "--rules", dir.File("policy.yaml"), "--db", dir.File("store.db"), "--enforce", "--firewall", "nftables");
        var stderr = new List<string>();
        ProcessRunner.WaitForLine(monitor.StandardError, "listening on");
        var errors = Task.Run(() =>
        {
            while (monitor.StandardError.ReadLine() is { } line)
            {
                lock (stderr)
                {
                    stderr.Add(line);
                }
            }
        });

        var session = new TickingSession(host);

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !Said(stderr, "blocked 198.18.6.1 with nftables"))
        {
            Thread.Sleep(100);
        }

        Assert.True(Said(stderr, "blocked 198.18.6.1 with nftables"), string.Join('\n', stderr));
        var atBlock = session.Ticks;

        Assert.True(session.FallsSilent(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20)), $"the session kept printing after the block ({atBlock} lines, then {session.Ticks})");
        Assert.True(session.Ticks > 0, "the session printed nothing at all");
        Assert.Contains("198.18.6.1", ProcessRunner.Run("ip", "netns", "exec", host.Namespace, "nft", "list", "set", "inet", "tunnelguard", "addr4"), StringComparison.Ordinal);
        ProcessRunner.Interrupt(monitor);
        var stdout = monitor.StandardOutput.ReadToEnd();
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Contains("\"event_type\":\"alert\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_WithDryRun_SaysWhatItWouldBlock_ButTheSessionGoesOnAndNothingIsRecorded()
    {
        using var host = new NetnsSshd(twoHosts: true);
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("policy.yaml"), BlockEveryUse);
        var monitor = host.StartInNamespace(
            "dotnet", Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll"), "monitor", "-i", host.ServerInterface, "--format", "jsonl",
            "--duration", "120", "--metrics", "off", "--rules", dir.File("policy.yaml"), "--db", dir.File("store.db"), "--dry-run");
        var log = new LineLog(monitor.StandardError);
        log.WaitFor("listening on");

        var ssh = host.SshArguments();
        var session = host.StartOnClient(ssh[0], [.. ssh[1..], "while true; do echo tick; sleep 0.1; done"]);
        var ticks = 0;
        _ = Task.Run(() =>
        {
            while (session.StandardOutput.ReadLine() is not null)
            {
                Interlocked.Increment(ref ticks);
            }
        });

        log.WaitFor("blocked 198.18.6.1 with dry-run");
        var atBlock = Volatile.Read(ref ticks);

        // A blocked session would print nothing more; a loaded machine may only delay the lines, so allow 20 s for ten.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Volatile.Read(ref ticks) < atBlock + 10 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        Assert.True(Volatile.Read(ref ticks) >= atBlock + 10, $"the session stopped although nothing was blocked ({atBlock} lines, then {Volatile.Read(ref ticks)})");
        Assert.NotEqual(0, ProcessRunner.TryRun("ip", "netns", "exec", host.Namespace, "nft", "list", "table", "inet", "tunnelguard").ExitCode);
        ProcessRunner.Interrupt(monitor);
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Equal(0, CliRunIn(dir.File("store.db")).Count(l => l.Contains("\"active\":true", StringComparison.Ordinal)));
    }

    private static string[] CliRunIn(string db) => TunnelGuard.Tests.Cli.CliRun.Of("blocks", "list", "--all", "--db", db, "--format", "jsonl").OutLines;

    private static bool Said(List<string> lines, string text)
    {
        lock (lines)
        {
            return lines.Any(l => l.Contains(text, StringComparison.Ordinal));
        }
    }
}
