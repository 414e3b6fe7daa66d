using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TunnelGuard.Classification;

/// <summary>
/// The evidence lines of a shape verdict, written out in words only when first read. A connection is judged at every
/// checkpoint, and most judgements only confirm its label: their lines were formatted and thrown away (float formatting
/// and strings were ~14 % of a replay's classify time). Which lines apply is decided with the verdict (their number sets
/// its confidence); their text depends only on the features, which do not change, so it is the same whenever it is read.
/// </summary>
/// <remarks>
/// Immutable once made; the text is made at the first read, on whichever thread reads first (a second thread that races
/// it makes the same strings).
/// </remarks>
public sealed class ShapeEvidence : IReadOnlyList<string>
{
    // The heuristics' lines, in the order they are listed (HeuristicClassifier tests them in this order).
    internal const int ReverseShell = 1 << 0;
    internal const int ServerOpens = 1 << 1;
    internal const int NestedSsh = 1 << 2;
    internal const int ManyDestinations = 1 << 3;
    internal const int Shell = 1 << 4;
    internal const int LateEcho = 1 << 5;
    internal const int Bulk = 1 << 6;
    internal const int CopyProgram = 1 << 7;
    internal const int ForwardedData = 1 << 8;
    internal const int RemoteCommand = 1 << 9;

    // Each line's words; HeuristicClassifier says when it applies.
    private static readonly (int Line, Func<ShapeFeatures, string> Say)[] Lines =
    [
        (ReverseShell, static f => Say(CultureInfo.InvariantCulture, $"{f.EchoS2C} keystroke-sized packets ({f.KeystrokeSize} B) typed by the server side and echoed by the client within 20 ms: an interactive session inside a reverse tunnel")),
        (ServerOpens, static f => Say(CultureInfo.InvariantCulture, $"{f.ServerFirstOpens} exchanges started by the server after a client silence: channels the server opens toward the client (-R)")),
        (NestedSsh, static f => Say(CultureInfo.InvariantCulture, $"{f.NestedC2S} client packets of the size of a keystroke of an SSH session nested inside this one: an SSH session through a tunnel")),
        (ManyDestinations, static f => Say(CultureInfo.InvariantCulture, $"{f.DistinctOpenSizes} different sizes of client requests after silences: connections to many destinations, as through a SOCKS proxy (-D)")),
        (Shell, static f => Say(CultureInfo.InvariantCulture, $"{f.EchoC2S} keystroke-sized packets ({f.KeystrokeSize} B) typed by the client and echoed by the server within 20 ms: an interactive shell")),
        (LateEcho, static f => Say(CultureInfo.InvariantCulture, $"{f.LateEchoC2S} keystrokes echoed only 20–300 ms later: a line-based service behind a tunnel, not a shell")),
        (Bulk, static f =>
        {
            var up = f.BytesC2S > f.BytesS2C;
            return Say(CultureInfo.InvariantCulture, $"{Math.Max(f.BytesC2S, f.BytesS2C) / 1024} KiB moved {(up ? "client to server" : "server to client")}, {(up ? f.LargeFractionC2S : f.LargeFractionS2C):P0} of it in full-size segments");
        }),
        (CopyProgram, static f => Say(CultureInfo.InvariantCulture, $"the first request after authentication ({f.AfterAuthC1 + f.KeystrokeSize} B) opens a session channel: a copy program")),
        (ForwardedData, static f => Say(CultureInfo.InvariantCulture, $"the first request after authentication ({f.AfterAuthC1 + f.KeystrokeSize} B) is no session channel: data through a forwarded port")),
        (RemoteCommand, static f => Say(CultureInfo.InvariantCulture, $"a session channel, {f.PacketsC2S + f.PacketsS2C} packets in {f.Seconds:0.0} s and no typing: a remote command")),
    ];

    private readonly ShapeFeatures _features;
    private readonly int _lines;
    private readonly string? _modelLabel;
    private readonly float _probability;
    private string[]? _text;

    internal ShapeEvidence(ShapeFeatures features, int lines)
        : this(features, lines, null, 0)
    {
    }

    /// <summary>These lines, then the shape model's own line.</summary>
    internal ShapeEvidence(ShapeFeatures features, int lines, string? modelLabel, float probability)
    {
        _features = features;
        _lines = lines;
        _modelLabel = modelLabel;
        _probability = probability;
        Count = BitOperations.PopCount((uint)lines) + (modelLabel is null ? 0 : 1);
    }

    public int Count { get; }

    public string this[int index] => Text()[index];

    /// <summary>These lines, then the shape model's own line.</summary>
    internal ShapeEvidence WithModel(string label, float probability) => new(_features, _lines, label, probability);

    /// <summary>Writes the text out now, on this thread, if it is not yet: for a report about to be handed to another thread.</summary>
    public void Write() => _ = Text();

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)Text()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private string[] Text() => _text ??= Format();

    private string[] Format()
    {
        var text = new string[Count];
        var i = 0;
        foreach (var (line, say) in Lines)
        {
            if ((_lines & line) != 0)
            {
                text[i++] = say(_features);
            }
        }

        if (_modelLabel is not null)
        {
            text[i] = string.Create(CultureInfo.InvariantCulture, $"shape model: {_modelLabel} with probability {_probability:0.00} after {_features.Seconds:0.0} s of encrypted traffic");
        }

        return text;
    }

    // Formats straight into a string: a FormattableString boxed every number into an argument array first.
    private static string Say(IFormatProvider provider, [InterpolatedStringHandlerArgument(nameof(provider))] ref DefaultInterpolatedStringHandler text) =>
        string.Create(provider, ref text);
}
