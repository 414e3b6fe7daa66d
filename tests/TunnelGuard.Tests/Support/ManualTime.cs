namespace TunnelGuard.Tests.Support;

/// <summary>A clock that moves only when told: timestamps for code that paces itself with <see cref="TimeProvider.GetTimestamp"/>.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks = 1_000_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
