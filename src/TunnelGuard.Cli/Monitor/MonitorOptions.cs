namespace TunnelGuard.Cli.Monitor;

/// <summary>What `tunnelguard monitor` was asked to do.</summary>
internal sealed record MonitorOptions(
    IReadOnlyList<string> Interfaces,
    string Filter,
    string? Format,
    string? OutputFile,
    bool AllFlows,
    double? DurationSeconds,
    string? ModelFile = null,
    bool HeuristicsOnly = false,
    string? Metrics = "127.0.0.1:9464",
    string? RulesPath = null,
    string? AlertsDb = null,
    bool Enforce = false,
    bool DryRun = false,
    string Firewall = "auto",
    IReadOnlyList<string>? Ignore = null)
{
    public IReadOnlyList<string> IgnoreNetworks => Ignore ?? [];
}
