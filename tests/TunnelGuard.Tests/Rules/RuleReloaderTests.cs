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
    public async Task Timer_ReloadsOnItsOwn()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), AlertOnExec);
        var engine = new RuleEngine(RuleLoader.Load(dir.Path).RuleSet!);
        using var reloader = new RuleReloader(dir.Path, engine, null, TimeProvider.System, TimeSpan.FromMilliseconds(20));

        File.WriteAllText(dir.File("p.yaml"), AlertOnTunnels);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (engine.Rules.Rules[0].Id != "tunnel-alert" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal("tunnel-alert", engine.Rules.Rules[0].Id);
    }
}
