namespace TunnelGuard.Reporting;

/// <summary>What a connection is used for, how sure the classifier is, and the evidence a person can read.</summary>
public sealed record Verdict(string Label, double Confidence, IReadOnlyList<string> Evidence, IReadOnlyList<string> Labels, double? DecidedAfterSeconds)
{
    public const string Unknown = "unknown";

    public static Verdict None { get; } = new(Unknown, 0.0, [], [], null);
}
