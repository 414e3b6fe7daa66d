namespace TunnelGuard.Cli.Monitor;

/// <summary>What `tunnelguard monitor` was asked to do.</summary>
internal sealed record MonitorOptions(
    IReadOnlyList<string> Interfaces,
    string Filter,
    string? Format,
    string? OutputFile,
    bool AllFlows,
    double? DurationSeconds);
