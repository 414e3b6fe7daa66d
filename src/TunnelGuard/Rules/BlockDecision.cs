using TunnelGuard.Decoding;

namespace TunnelGuard.Rules;

/// <summary>
/// A block a rule asks for: whom, for how long, and how many earlier blocks of the same target by the same rule
/// made it longer. Carried out only by a monitor running with <c>--enforce</c>.
/// </summary>
public sealed record BlockDecision(BlockTarget Target, IReadOnlyList<IpAddress> Addresses, TimeSpan Duration, int Repeat);
