namespace TunnelGuard.Lab.Lab;

/// <summary>What `lab record` (and `lab run`) should do.</summary>
public sealed record RecordOptions
{
    public required IReadOnlyList<Scenario> Scenarios { get; init; }

    public int Seed { get; init; } = 1;

    public int Repeat { get; init; } = 1;

    /// <summary>Where captures and manifest.json go; null runs the scenarios without capturing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>The manifest to create or update; null means <c>OUT/manifest.json</c>. File names in it are relative to its folder.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Forces one cipher; null rotates through the ciphers each client can use, by scenario and seed.</summary>
    public CipherChoice? Cipher { get; init; }

    public double Scale { get; init; } = 1;

    /// <summary>Offloads for a lab this command brings up itself.</summary>
    public bool Offloads { get; init; }
}
