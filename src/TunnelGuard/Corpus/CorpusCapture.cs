using System.Text.Json.Serialization;

namespace TunnelGuard.Corpus;

/// <summary>One capture file of a corpus and what made it.</summary>
public sealed record CorpusCapture
{
    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonPropertyName("scenario")]
    public string? Scenario { get; init; }

    [JsonPropertyName("client_software")]
    public string? ClientSoftware { get; init; }

    [JsonPropertyName("cipher")]
    public string? Cipher { get; init; }

    [JsonPropertyName("mac")]
    public string? Mac { get; init; }

    [JsonPropertyName("link_type")]
    public int? LinkType { get; init; }

    [JsonPropertyName("connections")]
    public IReadOnlyList<CorpusConnection> Connections { get; init; } = [];
}
