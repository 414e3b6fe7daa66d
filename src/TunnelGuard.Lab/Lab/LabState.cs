using System.Text.Json;
using System.Text.Json.Serialization;

namespace TunnelGuard.Lab.Lab;

/// <summary>
/// What a running lab consists of, kept in <see cref="LabTopology.StateDirectory"/>/state.json so that `lab down`
/// can remove a lab left behind by a crashed or killed command.
/// </summary>
public sealed record LabState
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    [JsonPropertyName("offloads")]
    public bool Offloads { get; init; }

    [JsonPropertyName("started")]
    public DateTimeOffset Started { get; init; }

    [JsonPropertyName("namespaces")]
    public List<string> Namespaces { get; init; } = [];

    [JsonPropertyName("processes")]
    public List<LabStateProcess> Processes { get; init; } = [];

    [JsonPropertyName("directories")]
    public List<string> Directories { get; init; } = [];

    public static string FilePath => Path.Combine(LabTopology.StateDirectory, "state.json");

    public static LabState? Load()
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<LabState>(File.ReadAllText(FilePath), Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the state atomically (write, then rename), so a crash never leaves half a file.</summary>
    public void Save()
    {
        Directory.CreateDirectory(LabTopology.StateDirectory);
        var temp = FilePath + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Options));
        File.Move(temp, FilePath, overwrite: true);
    }
}
