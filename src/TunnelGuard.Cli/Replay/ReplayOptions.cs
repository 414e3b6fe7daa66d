namespace TunnelGuard.Cli.Replay;

/// <summary>What `tunnelguard replay` was asked to do.</summary>
internal sealed record ReplayOptions(IReadOnlyList<string> Paths, string? Format, string? OutputFile, bool AllFlows, string? ExpectManifest = null, string? ModelFile = null, bool HeuristicsOnly = false, string? RulesPath = null, string? AlertsDb = null, string? Syslog = null, int? MaxFlows = null, bool Stats = false, int Threads = ReplayOptions.DefaultThreads)
{
    /// <summary>Pipeline threads by default: a fixed number, not the core count, so that nothing depends on the machine.</summary>
    public const int DefaultThreads = 2;

    /// <summary>Most pipeline threads accepted.</summary>
    public const int MaxThreads = 16;
}
