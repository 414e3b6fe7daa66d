using TunnelGuard.Lab.Drivers;

namespace TunnelGuard.Tests.Lab;

public sealed class TypistPlanTests
{
    [Fact]
    public void Create_SameSeed_GivesTheSamePlan()
    {
        Assert.Equal(TypistPlan.Create(42, 6), TypistPlan.Create(42, 6));
    }

    [Fact]
    public void Create_DifferentSeeds_GiveDifferentPlans()
    {
        Assert.NotEqual(TypistPlan.Create(1, 6), TypistPlan.Create(2, 6));
    }

    [Fact]
    public void Create_TypesEachCommandThenEnter_AndEndsWithExit()
    {
        var plan = TypistPlan.Create(3, 5);
        Assert.Equal(6, plan.Count(s => s.IsEnter));
        var typed = string.Concat(plan.Select(s => s.Keys));
        Assert.EndsWith("exit\r", typed, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_KeyDelays_AreMostlyHumanAndNeverMachineFast()
    {
        var keys = Enumerable.Range(0, 20).SelectMany(seed => TypistPlan.Create(seed, 8)).Where(s => s.Keys.Length == 1 && !s.IsEnter).ToList();
        Assert.All(keys, k => Assert.True(k.Delay >= TimeSpan.FromMilliseconds(45), k.ToString()));
        var typical = keys.Count(k => k.Delay >= TimeSpan.FromMilliseconds(80) && k.Delay <= TimeSpan.FromMilliseconds(300));
        Assert.True(typical > keys.Count * 0.7, $"{typical} of {keys.Count} within 80-300 ms");
        Assert.Contains(keys, k => k.Delay > TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Create_ManySeeds_IncludeTyposCorrectedWithBackspace()
    {
        var keys = Enumerable.Range(0, 20).SelectMany(seed => TypistPlan.Create(seed, 8));
        Assert.Contains(keys, k => k.Keys == TypistPlan.Backspace.ToString());
    }

    [Fact]
    public void Create_Commands_ApplyBackspacesToYieldRealCommands()
    {
        foreach (var seed in Enumerable.Range(0, 20))
        {
            var line = new List<char>();
            foreach (var step in TypistPlan.Create(seed, 8))
            {
                if (step.IsEnter)
                {
                    Assert.DoesNotContain(TypistPlan.Backspace, line);
                    line.Clear();
                }
                else if (step.Keys == TypistPlan.Backspace.ToString())
                {
                    line.RemoveAt(line.Count - 1);
                }
                else
                {
                    line.AddRange(step.Keys);
                }
            }
        }
    }
}
