using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Rules;

public sealed class RulesCommandTests
{
    [Fact]
    public void Check_ShippedRules_ExitsZero_WithASummary()
    {
        var run = CliRun.Of("rules", "check", Path.Combine(RepoPaths.Root, "rules"));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("ok: 4 rule(s) in 1 file(s)", run.OutLines[0], StringComparison.Ordinal);
        Assert.Contains(run.OutLines, l => l.Contains("reverse-or-dynamic-tunnel", StringComparison.Ordinal) && l.Contains("default.yaml:", StringComparison.Ordinal));
        Assert.Empty(run.Error);
    }

    [Fact]
    public void Check_Mistakes_ExitThree_OneLinePerMistake_FileLineColumn()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.yaml"), "rules:\n  - id: dup\n    alert: { severity: low }\n");
        File.WriteAllText(dir.File("b.yaml"), "rules:\n  - id: dup\n    alert: { severity: urgent }\n    match: { client: 10.0.0.0/40, label: tunnel }\n");

        var run = CliRun.Of("rules", "check", dir.Path);

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Out);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var b = Path.Combine(dir.Path, "b.yaml");
        Assert.Equal(
        [
            $"{b}:2:9: duplicate rule id 'dup' (first defined at {Path.Combine(dir.Path, "a.yaml")}:2:9)",
            $"{b}:3:24: bad severity 'urgent' (expected low, medium, high or critical)",
            $"{b}:4:22: bad CIDR in client: '10.0.0.0/40' has a bad prefix length (expected 0 to 32 for IPv4)",
            $"{b}:4:42: unknown label 'tunnel' (expected one of: interactive, exec, file-transfer, forward-local, forward-remote, forward-dynamic, unknown, not-ssh)",
            "4 error(s); the policy was not loaded",
        ], lines);
    }

    [Fact]
    public void Check_Warnings_GoToStandardError_AndStillExitZero()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), "lists:\n  spare: [10.0.0.0/8]\nrules:\n  - { id: a, alert: { severity: low } }\n");

        var run = CliRun.Of("rules", "check", dir.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"{dir.File("p.yaml")}:2:3: warning: list 'spare' is not used by any rule", run.Error.Trim());
    }

    [Fact]
    public void Check_MissingFolder_ExitsThree()
    {
        var run = CliRun.Of("rules", "check", "/nonexistent/rules");

        Assert.Equal(3, run.ExitCode);
        Assert.StartsWith("/nonexistent/rules:1:1: no such file or directory", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithoutPath_IsAUsageError()
    {
        Assert.Equal(2, CliRun.Of("rules", "check").ExitCode);
    }

    [Fact]
    public void Test_SaysWhichRuleFiresOnWhichConnection_AndWhy()
    {
        var run = CliRun.Of("rules", "test", Path.Combine(RepoPaths.Root, "rules"), RepoPaths.Pcap("ssh-forward-local.pcap"), RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--labels-from", Path.Combine(RepoPaths.Pcaps, "manifest.json"), "--verbose");

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.OutLines;
        var forward = Array.FindIndex(lines, l => l.StartsWith("ssh-forward-local.pcap 198.18.1.1:42462 -> 198.18.1.2:22  forward-local", StringComparison.Ordinal));
        Assert.True(forward >= 0, run.Out);
        Assert.StartsWith("  fires local-forward [alert medium]", lines[forward + 1], StringComparison.Ordinal);
        Assert.Equal("      label forward-local is one of [forward-local]", lines[forward + 2]);
        Assert.Contains("  skips admin-local-forward: client 198.18.1.1 is not in [$admin_networks]", lines);
        var exec = Array.FindIndex(lines, l => l.StartsWith("ssh-exec-chacha20.pcap", StringComparison.Ordinal));
        Assert.StartsWith("  allowed by ordinary-ssh (evaluation stops)", lines[exec + 1], StringComparison.Ordinal);
        Assert.Equal("2 connection(s) in 2 file(s): 1 rule hit(s), 1 alert(s)", lines[^1]);
    }

    [Fact]
    public void Test_WithTheClassifiersVerdict_TheLocalForwardRuleFires()
    {
        var run = CliRun.Of("rules", "test", Path.Combine(RepoPaths.Root, "rules"), RepoPaths.Pcap("ssh-forward-local.pcap"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.OutLines, l => l.StartsWith("  fires local-forward [alert medium]", StringComparison.Ordinal));
    }

    [Fact]
    public void Test_BadRules_ExitThree_BeforeReadingCaptures()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.yaml"), "rules:\n  - id: x\n    allow: maybe\n");

        var run = CliRun.Of("rules", "test", dir.Path, RepoPaths.Pcap("ssh-forward-local.pcap"));

        Assert.Equal(3, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.StartsWith($"{dir.File("r.yaml")}:3:12: bad value 'maybe' for 'allow'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_MissingCapture_ExitsThree()
    {
        var run = CliRun.Of("rules", "test", Path.Combine(RepoPaths.Root, "rules"), "/nonexistent.pcap");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("/nonexistent.pcap: no such file or directory", run.Error, StringComparison.Ordinal);
    }
}
