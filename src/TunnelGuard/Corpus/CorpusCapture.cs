using System.Text.Json;
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

    [JsonPropertyName("server_software")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ServerSoftware { get; init; }

    [JsonPropertyName("cipher")]
    public string? Cipher { get; init; }

    [JsonPropertyName("mac")]
    public string? Mac { get; init; }

    [JsonPropertyName("link_type")]
    public int? LinkType { get; init; }

    /// <summary>Which client program made the capture: openssh, sshnet, dropbear (lab recordings).</summary>
    [JsonPropertyName("client_implementation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClientImplementation { get; init; }

    /// <summary>The seed the lab scenario ran with; the same seed gives the same sizes, counts and typing.</summary>
    [JsonPropertyName("seed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Seed { get; init; }

    /// <summary>Whether TSO/GSO/GRO were on where the capture was taken (super-MTU segments).</summary>
    [JsonPropertyName("offloads")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Offloads { get; init; }

    /// <summary>The scenario's drawn parameters (sizes, counts), as text.</summary>
    [JsonPropertyName("parameters")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    [JsonPropertyName("connections")]
    public IReadOnlyList<CorpusConnection> Connections { get; init; } = [];

    /// <summary>Fields this model does not know (tool-specific extras), kept so that rewriting a manifest loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
