using System.Text.Json;
using System.Text.Json.Serialization;

namespace TunnelGuard.Corpus;

/// <summary>
/// The labelled-capture manifest shared by the lab recorder, replay's --expect and the tests: per capture file, the
/// scenario that made it and every connection in it with its SSH roles and labels.
/// </summary>
public sealed record CorpusManifest
{
    [JsonPropertyName("version")]
    public int Version { get; init; } = 1;

    [JsonPropertyName("captures")]
    public IReadOnlyList<CorpusCapture> Captures { get; init; } = [];

    private static readonly JsonSerializerOptions Options = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads a manifest; a bad file gives an <see cref="InvalidDataException"/> naming the file and line.</summary>
    public static CorpusManifest Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<CorpusManifest>(stream, Options) ?? throw new InvalidDataException($"{path}: empty manifest");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}:{(ex.LineNumber ?? 0) + 1}: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the manifest (indented JSON), through a temporary file so a reader never sees half of it.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, WriteOptions) + "\n");
        File.Move(temp, path, overwrite: true);
    }
}
