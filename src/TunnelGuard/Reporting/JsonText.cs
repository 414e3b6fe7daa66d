using System.Text.Json;

namespace TunnelGuard.Reporting;

/// <summary>
/// JSON-escaped UTF-8 of strings that many reports share by reference: the interned KEXINIT name-lists and HASSH strings
/// (hundreds of characters each, in every SSH report twice), negotiated algorithm names, labels, the capture's name.
/// Writing one then copies bytes instead of transcoding and escaping it again for every report. Keyed by reference, so
/// a string that is equal but not the same instance is simply encoded once more; one cache per thread (the writers are
/// not shared between threads), bounded, and emptied when full, which only costs the encoding again.
/// </summary>
internal static class JsonText
{
    private const int MaxEntries = 4096;

    // Longer strings are not kept: the cache stays under a few MB whatever the input.
    private const int MaxLength = 2048;

    // Values in a class: a dictionary of the JsonEncodedText struct is a generic instantiation that no precompiled image
    // holds, and compiling its methods cost every replay's start ~10 methods of JIT work.
    [ThreadStatic]
    private static Dictionary<string, Encoded>? _encoded;

    /// <summary>The value as <see cref="JsonLine.Options"/>'s encoder writes it.</summary>
    public static JsonEncodedText Shared(string value)
    {
        if (value.Length > MaxLength)
        {
            return JsonEncodedText.Encode(value, JsonLine.Options.Encoder);
        }

        var encoded = _encoded ??= new(ReferenceEqualityComparer.Instance);
        if (!encoded.TryGetValue(value, out var known))
        {
            if (encoded.Count >= MaxEntries)
            {
                encoded.Clear();
            }

            known = new Encoded(JsonEncodedText.Encode(value, JsonLine.Options.Encoder));
            encoded[value] = known;
        }

        return known.Text;
    }

    private sealed record Encoded(JsonEncodedText Text);
}
