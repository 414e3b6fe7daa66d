using TunnelGuard.Corpus;

namespace TunnelGuard.Classification;

/// <summary>
/// A held-out split by a property of whole captures (`cipher=aes128-ctr`, `client=sshnet`, `seed`...): the captures
/// whose property has the value are judged, the others trained on. Without a value, each value seen is left out in
/// turn. A capture is never divided, so no connection's packets are on both sides.
/// </summary>
public sealed record CaptureSplit(string Key, string? Value)
{
    public const string Cipher = "cipher";
    public const string Mac = "mac";
    public const string Client = "client";
    public const string Scenario = "scenario";
    public const string Seed = "seed";

    public static IReadOnlyList<string> Keys { get; } = [Cipher, Mac, Client, Scenario, Seed];

    /// <summary>Reads `KEY` or `KEY=VALUE`; an unknown key gives a <see cref="FormatException"/> naming the known ones.</summary>
    public static CaptureSplit Parse(string text)
    {
        var at = text.IndexOf('=', StringComparison.Ordinal);
        var key = (at < 0 ? text : text[..at]).Trim().ToLowerInvariant();
        var value = at < 0 ? null : text[(at + 1)..].Trim();
        if (!Keys.Contains(key, StringComparer.Ordinal))
        {
            throw new FormatException($"--leave-out: unknown key '{key}'; known: {string.Join(", ", Keys)}");
        }

        if (value is { Length: 0 })
        {
            throw new FormatException($"--leave-out {key}=: empty value");
        }

        return new CaptureSplit(key, value);
    }

    /// <summary>
    /// The capture's value for a key. Cipher and MAC names lose their `@openssh.com` suffix; the client is the
    /// recorder's implementation name or, for captures made without the lab, the family of the client's banner.
    /// </summary>
    public static string? ValueOf(CorpusCapture capture, string key) => key switch
    {
        Cipher => Bare(capture.Cipher),
        Mac => Bare(capture.Mac),
        Client => capture.ClientImplementation ?? ClientFamily(capture.ClientSoftware),
        Scenario => capture.Scenario,
        Seed => capture.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The values to leave out in turn: the one given, or every value the held-out side has, in order.</summary>
    public IReadOnlyList<string> Values(IEnumerable<CorpusCapture> captures) =>
        Value is not null
            ? [Value]
            : [.. captures.Select(c => ValueOf(c, Key)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public bool Matches(CorpusCapture capture, string value) =>
        string.Equals(ValueOf(capture, Key), Bare(value), StringComparison.OrdinalIgnoreCase);

    private static string? Bare(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var at = name.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? name : name[..at];
    }

    private static string? ClientFamily(string? software) => software switch
    {
        null => null,
        _ when software.StartsWith("OpenSSH", StringComparison.OrdinalIgnoreCase) => "openssh",
        _ when software.StartsWith("dropbear", StringComparison.OrdinalIgnoreCase) => "dropbear",
        _ when software.StartsWith("Renci.SshNet", StringComparison.OrdinalIgnoreCase) => "sshnet",
        _ => software,
    };
}
