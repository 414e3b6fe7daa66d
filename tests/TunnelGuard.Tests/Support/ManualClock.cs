namespace TunnelGuard.Tests.Support;

/// <summary>A wall clock the test moves by hand (no timers), for code that reads <see cref="TimeProvider.GetUtcNow"/>.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public long NowMicros => _now.ToUnixTimeMilliseconds() * 1000;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
