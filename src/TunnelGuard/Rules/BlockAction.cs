namespace TunnelGuard.Rules;

/// <summary>
/// Block the target for <see cref="Duration"/>; each repeat by the same rule against the same target multiplies it by
/// <see cref="Factor"/>, up to <see cref="Max"/> (like fail2ban's <c>bantime.increment</c>).
/// </summary>
public sealed record BlockAction(BlockTarget Target, TimeSpan Duration, double Factor, TimeSpan Max)
{
    /// <summary>The duration of the block after <paramref name="previous"/> earlier ones.</summary>
    public TimeSpan DurationFor(int previous)
    {
        var seconds = Duration.TotalSeconds * Math.Pow(Factor, previous);
        return seconds >= Max.TotalSeconds || double.IsInfinity(seconds) ? Max : TimeSpan.FromSeconds(Math.Round(seconds));
    }
}
