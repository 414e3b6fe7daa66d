using TunnelGuard.Reporting;

namespace TunnelGuard.Classification;

/// <summary>A verdict reached at a point in packet time, when it differed from the one before.</summary>
public sealed record VerdictChange(long AtMicros, double AfterSeconds, Verdict Verdict);
