using TunnelGuard.Decoding;
using TunnelGuard.Enforcement;

namespace TunnelGuard.Tests.Enforcement;

public sealed class BlockGuardTests
{
    private const long Minute = 60_000_000;
    private static readonly IpAddress Attacker = IpAddress.Parse("198.18.9.9");

    private static BlockGuard Guard(int perMinute = 30, params string[] ignore) => new(
        new EnforcementOptions { IgnoreNetworks = ignore, MaxNewBlocksPerMinute = perMinute, EscalationFactor = 2, MaxDuration = TimeSpan.FromHours(3) },
        [IpAddress.Parse("198.18.0.10")]);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("198.18.0.10")]
    public void OwnAndLoopbackAddresses_AreNeverBlocked(string address)
    {
        var decision = Guard().Decide(IpAddress.Parse(address), TimeSpan.FromHours(1), 0);

        Assert.False(decision.Allowed);
        Assert.Contains("own address", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IgnoredNetwork_IsNeverBlocked()
    {
        var guard = Guard(30, "198.18.9.0/24", "2001:db8::/32");

        Assert.False(guard.Decide(Attacker, TimeSpan.FromHours(1), 0).Allowed);
        Assert.False(guard.Decide(IpAddress.Parse("2001:db8::5"), TimeSpan.FromHours(1), 0).Allowed);
        Assert.True(guard.Decide(IpAddress.Parse("198.18.8.1"), TimeSpan.FromHours(1), 0).Allowed);
        Assert.Equal(2, guard.Ignored);
    }

    [Fact]
    public void RepeatOffender_GetsEscalatingDurations_UpToTheMaximum()
    {
        var guard = Guard();

        var durations = Enumerable.Range(0, 4).Select(i => guard.Decide(Attacker, TimeSpan.FromHours(1), i * Minute).Duration).ToList();

        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(3)], durations);
    }

    [Fact]
    public void OffenceOutsideTheWindow_StartsAgain()
    {
        var guard = Guard();
        guard.Decide(Attacker, TimeSpan.FromHours(1), 0);

        var later = guard.Decide(Attacker, TimeSpan.FromHours(1), 2L * 24 * 60 * Minute);

        Assert.Equal(1, later.Offence);
        Assert.Equal(TimeSpan.FromHours(1), later.Duration);
    }

    [Fact]
    public void MoreThanTheCapPerMinute_AreRefused_ThenAllowedAgain()
    {
        var guard = Guard(perMinute: 3);

        var first = Enumerable.Range(1, 4).Select(i => guard.Decide(IpAddress.Parse($"198.18.8.{i}"), TimeSpan.FromHours(1), i).Allowed).ToList();
        var nextMinute = guard.Decide(IpAddress.Parse("198.18.8.9"), TimeSpan.FromHours(1), Minute + 10);

        Assert.Equal([true, true, true, false], first);
        Assert.Equal(1, guard.RateLimited);
        Assert.True(nextMinute.Allowed);
    }

    [Fact]
    public void BadIgnoreNetwork_IsRejectedNamingIt()
    {
        var error = Assert.ThrowsAny<Exception>(() => Guard(30, "198.18.0.0/99"));

        Assert.Contains("198.18.0.0/99", error.Message, StringComparison.Ordinal);
    }
}
