using System.Text.Json;
using System.Text.Json.Serialization;

namespace TunnelGuard.Corpus;

/// <summary>One connection in a labelled capture: endpoints by SSH role ("ip:port", IPv6 as "[addr]:port") and labels.</summary>
public sealed record CorpusConnection
{
    /// <summary>The label of TCP flows that are not SSH.</summary>
    public const string NotSsh = "not-ssh";

    [JsonPropertyName("client")]
    public required string Client { get; init; }

    [JsonPropertyName("server")]
    public required string Server { get; init; }

    /// <summary>"client" or "server": which SSH side opened the TCP connection.</summary>
    [JsonPropertyName("initiator")]
    public string? Initiator { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyList<string> Labels { get; init; } = [];

    [JsonPropertyName("primary")]
    public string? Primary { get; init; }

    [JsonPropertyName("hassh")]
    public string? Hassh { get; init; }

    [JsonPropertyName("hassh_server")]
    public string? HasshServer { get; init; }

    [JsonIgnore]
    public bool IsSsh => Primary != NotSsh && !Labels.Contains(NotSsh);

    /// <summary>Fields this model does not know (tool-specific extras), kept so that rewriting a manifest loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
