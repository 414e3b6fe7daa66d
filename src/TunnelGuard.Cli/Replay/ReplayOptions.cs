namespace TunnelGuard.Cli.Replay;

/// <summary>What `tunnelguard replay` was asked to do.</summary>
internal sealed record ReplayOptions(IReadOnlyList<string> Paths, string? Format, string? OutputFile, bool AllFlows, string? ExpectManifest = null);
