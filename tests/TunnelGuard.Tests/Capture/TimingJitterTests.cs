using TunnelGuard.Capture;

namespace TunnelGuard.Tests.Capture;

public sealed class TimingJitterTests
{
    private static long[] Retime(TimingJitter jitter, long[] times) => [.. times.Select(jitter.Next)];

    private static readonly long[] Times = [.. Enumerable.Range(0, 10_000).Select(i => 1_000_000L + (i * 137L % 5_000))];

    [Fact]
    public void SameSeed_GivesTheSameTimes_AnotherSeedOthers()
    {
        var sorted = Times.Order().ToArray();

        Assert.Equal(Retime(new TimingJitter(3), sorted), Retime(new TimingJitter(3), sorted));
        Assert.NotEqual(Retime(new TimingJitter(3), sorted), Retime(new TimingJitter(4), sorted));
    }

    [Fact]
    public void EveryGap_GrowsBy3MicrosecondsTo10Milliseconds_AsMeasuredLive()
    {
        var sorted = Times.Order().ToArray();
        var moved = Retime(new TimingJitter(1), sorted);

        Assert.Equal(sorted[0], moved[0]);
        var growth = Enumerable.Range(1, sorted.Length - 1).Select(i => (moved[i] - moved[i - 1]) - (sorted[i] - sorted[i - 1])).ToArray();
        Assert.All(growth, g => Assert.InRange(g, 3, 10_000));
        Assert.InRange(growth.Count(g => g >= 500), 200, 400); // 3 % of 9,999
    }

    [Fact]
    public void ScaleZero_KeepsTheTimes()
    {
        Assert.Equal(Times, Retime(new TimingJitter(1, scale: 0), Times));
    }
}
