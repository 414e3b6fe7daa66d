using TunnelGuard.Rules;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Rules;

public sealed class RuleReloaderTests
{
    private const string AlertOnExec = "rules:\n  - { id: exec-alert, match: { label: exec }, alert: { severity: low } }\n";
    private const string AlertOnTunnels = "rules:\n  - { id: tunnel-alert, match: { label: forward-remote }, alert: { severity: high } }\n";

    [Fact]
    public void ValidChange_PutsTheNewPolicyInForce()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), AlertOnExec);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        var seen = new List<RuleLoadResult>();
        using var reloader = new RuleReloader(dir.Path, engine, seen.Add, time: null, TimeSpan.Zero);

        Assert.False(reloader.CheckNow());
        File.WriteAllText(dir.File("p.yaml"), AlertOnTunnels);
        Assert.True(reloader.CheckNow());

        Assert.Equal(["tunnel-alert"], engine.Evaluate(TestReports.Ssh(label: "forward-remote")).Hits.Select(h => h.Rule.Id));
        Assert.Empty(engine.Evaluate(TestReports.Ssh(label: "exec")).Hits);
        Assert.True(Assert.Single(seen).IsValid);
        Assert.Equal(1, reloader.Reloads);
    }

    [Fact]
    public void NewFile_InTheFolder_IsPickedUp()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.yaml"), AlertOnExec);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        using var reloader = new RuleReloader(dir.Path, engine, null, time: null, TimeSpan.Zero);

        File.WriteAllText(dir.File("b.yaml"), AlertOnTunnels);

        Assert.True(reloader.CheckNow());
        Assert.Equal(["exec-alert", "tunnel-alert"], engine.Rules.Rules.Select(r => r.Id));
    }

    [Fact]
    public void BrokenChange_KeepsTheLastGoodPolicy_SaysWhyOnce_ThenAFixLoads()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), AlertOnExec);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        var seen = new List<RuleLoadResult>();
        using var reloader = new RuleReloader(dir.Path, engine, seen.Add, time: null, TimeSpan.Zero);

        File.WriteAllText(dir.File("p.yaml"), "rules:\n  - { id: exec-alert, match: { label: exce }, alert: { severity: low } }\n");
        Assert.False(reloader.CheckNow());
        Assert.False(reloader.CheckNow());

        Assert.Equal(["exec-alert"], engine.Evaluate(TestReports.Ssh(label: "exec")).Hits.Select(h => h.Rule.Id));
        var broken = Assert.Single(seen);
        Assert.False(broken.IsValid);
        Assert.StartsWith($"{dir.File("p.yaml")}:2:39: unknown label 'exce'", broken.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.Equal(1, reloader.Rejected);

        File.WriteAllText(dir.File("p.yaml"), AlertOnTunnels);
        Assert.True(reloader.CheckNow());
        Assert.Equal(["tunnel-alert"], engine.Rules.Rules.Select(r => r.Id));
    }

    [Fact]
    public void GarbageRenamedOverTheFile_KeepsTheLastGoodPolicy_AndTheLogLineSaysWhy_ThenAGoodFileTakesEffect()
    {
        using var dir = new TempDirectory();
        var file = dir.File("p.yaml");
        var (engine, reloader, log) = ExecAlertPolicyWithLog(dir, file);
        using var _ = reloader;

        // What an editor or a config-management tool does: write elsewhere, rename into place.
        var garbage = new byte[4096];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(dir.File("p.yaml.tmp"), garbage);
        File.Move(dir.File("p.yaml.tmp"), file, overwrite: true);

        Assert.False(reloader.CheckNow());
        Assert.Equal(["exec-alert"], engine.Evaluate(TestReports.Ssh(label: "exec")).Hits.Select(h => h.Rule.Id));
        Assert.Empty(engine.Evaluate(TestReports.Ssh(label: "forward-remote")).Hits);
        var why = Assert.Single(log);
        Assert.StartsWith($"rules in {dir.Path} not reloaded, keeping the last good policy (1 rule(s)): ", why, StringComparison.Ordinal);
        Assert.Matches($@"mistake\(s\): {System.Text.RegularExpressions.Regex.Escape(file)}:\d+:\d+: ", why);
        Assert.False(reloader.CheckNow());
        Assert.Single(log);

        File.WriteAllText(dir.File("p.yaml.tmp"), AlertOnTunnels);
        File.Move(dir.File("p.yaml.tmp"), file, overwrite: true);

        Assert.True(reloader.CheckNow());
        Assert.Equal(["tunnel-alert"], engine.Evaluate(TestReports.Ssh(label: "forward-remote")).Hits.Select(h => h.Rule.Id));
        Assert.Empty(engine.Evaluate(TestReports.Ssh(label: "exec")).Hits);
        Assert.Equal($"rules reloaded from {dir.Path}: 1 rule(s) in force", log[^1]);
        Assert.Equal((1, 1), (reloader.Reloads, reloader.Rejected));
    }

    [Fact]
    public void HostileTextRenamedOverTheFile_DeepNestingAndEscapes_KeepsThePolicy_AndTheLogLineIsOnePrintableLine()
    {
        using var dir = new TempDirectory();
        var file = dir.File("p.yaml");
        var (engine, reloader, log) = ExecAlertPolicyWithLog(dir, file);
        using var _ = reloader;

        // Found by the rules fuzz target: the nesting overflowed the stack (the process died), the escape sequence
        // and the newline reached the log as they were.
        File.WriteAllText(dir.File("p.yaml.tmp"), "rules:\n  - " + new string('[', 200_000));
        File.Move(dir.File("p.yaml.tmp"), file, overwrite: true);
        File.WriteAllText(dir.File("q.yml.tmp"), "rules:\n  - id: \"a\\e[2J\\nforged log line\"\n");
        File.Move(dir.File("q.yml.tmp"), dir.File("q.yml"));

        Assert.False(reloader.CheckNow());
        Assert.Equal(["exec-alert"], engine.Evaluate(TestReports.Ssh(label: "exec")).Hits.Select(h => h.Rule.Id));
        var why = Assert.Single(log);
        Assert.DoesNotContain(why, char.IsControl);
        Assert.Contains(@"a\x1b[2J\x0aforged log line", why, StringComparison.Ordinal);
        Assert.Contains("nested more than 64 levels deep", why, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFileRemoved_IsAMistake_NotAnEmptyPolicy()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), AlertOnTunnels);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        var seen = new List<RuleLoadResult>();
        using var reloader = new RuleReloader(dir.Path, engine, seen.Add, time: null, TimeSpan.Zero);

        File.Delete(dir.File("p.yaml"));

        Assert.False(reloader.CheckNow());
        Assert.Equal(["tunnel-alert"], engine.Evaluate(TestReports.Ssh(label: "forward-remote")).Hits.Select(h => h.Rule.Id));
        Assert.Contains("no rule files here", reloader.Describe(Assert.Single(seen)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timer_KeepsTheLastGoodPolicyThroughGarbage_AndPicksUpTheFix()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), AlertOnExec);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        var results = new System.Collections.Concurrent.ConcurrentQueue<RuleLoadResult>();
        using var reloader = new RuleReloader(dir.Path, engine, results.Enqueue, TimeProvider.System, TimeSpan.FromMilliseconds(20));

        // Each version replaces the file whole (write aside, then rename), as editors and config management do: a
        // poll that caught a file half-written by WriteAllText could see an empty, valid policy.
        Replace(dir, "rules: [ {{{ \u0000 not yaml");
        await WaitFor(() => !results.IsEmpty);
        Assert.Equal("exec-alert", engine.Rules.Rules[0].Id);

        Replace(dir, AlertOnTunnels);
        await WaitFor(() => engine.Rules.Rules.FirstOrDefault()?.Id == "tunnel-alert" && results.Count == 2);

        Assert.Equal([false, true], results.Select(r => r.IsValid));
    }

    /// <summary>A policy of one rule (exec-alert) in <paramref name="file"/>, and a reloader that logs as the monitor does.</summary>
    private static (RuleEngine Engine, RuleReloader Reloader, List<string> Log) ExecAlertPolicyWithLog(TempDirectory dir, string file)
    {
        File.WriteAllText(file, AlertOnExec);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        var log = new List<string>();
        RuleReloader? reloader = null;
        reloader = new RuleReloader(dir.Path, engine, r => log.Add(reloader!.Describe(r)), time: null, TimeSpan.Zero);
        return (engine, reloader, log);
    }

    private static void Replace(TempDirectory dir, string text)
    {
        File.WriteAllText(dir.File("p.new"), text);
        File.Move(dir.File("p.new"), dir.File("p.yaml"), overwrite: true);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task Timer_ReloadsOnItsOwn()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), AlertOnExec);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        using var reloader = new RuleReloader(dir.Path, engine, null, TimeProvider.System, TimeSpan.FromMilliseconds(20));

        Replace(dir, AlertOnTunnels);

        await WaitFor(() => engine.Rules.Rules.FirstOrDefault()?.Id == "tunnel-alert");
    }
}
