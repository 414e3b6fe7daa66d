namespace TunnelGuard.Cli.Replay;

/// <summary>What `tunnelguard replay` was asked to do.</summary>
internal sealed record ReplayOptions(IReadOnlyList<string> Paths, string? Format, string? OutputFile, bool AllFlows, string? ExpectManifest = null, string? ModelFile = null, bool HeuristicsOnly = false, string? RulesPath = null, string? AlertsDb = null, string? Syslog = null, int? MaxFlows = null, bool Stats = false);
