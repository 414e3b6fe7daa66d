using System.Globalization;
using TunnelGuard.Reporting;

namespace TunnelGuard.Classification;

/// <summary>
/// Explainable rules over the shape features: each verdict names the evidence that led to it in words a person can
/// check against a capture. Used alone when no model is loaded, and to explain the model's verdicts.
/// </summary>
public sealed class HeuristicClassifier : IShapeClassifier
{
    private const int MinKeystrokes = 3;

    // Closing a channel (EOF and CLOSE each way) gives up to two keystroke-sized packets answered in kind: typing
    // shows only beyond them.
    private const int MinEchoes = MinKeystrokes + 2;
    private const long BulkBytes = 64 * 1024;

    /// <summary>No state of its own: every call works on its features alone.</summary>
    public bool IsThreadSafe => true;

    public Verdict? Classify(ShapeFeatures f, bool final)
    {
        var evidence = new List<string>();
        var labels = new List<string>();

        // Someone types on the server's side and the client's machine echoes: a shell reached through -R.
        if (f.EchoS2C >= MinEchoes && f.EchoS2C > f.EchoC2S)
        {
            evidence.Add(Say($"{f.EchoS2C} keystroke-sized packets ({f.KeystrokeSize} B) typed by the server side and echoed by the client within 20 ms: an interactive session inside a reverse tunnel"));
            labels.Add(Labels.ForwardRemote);
        }

        if (f.ServerFirstOpens >= 2 && f.EchoC2S < MinKeystrokes && f.Requests <= f.ServerFirstOpens)
        {
            evidence.Add(Say($"{f.ServerFirstOpens} exchanges started by the server after a client silence: channels the server opens toward the client (-R)"));
            AddOnce(labels, Labels.ForwardRemote);
        }

        if (f.NestedC2S >= MinKeystrokes && f.NestedC2S >= f.KeysC2S / 2)
        {
            evidence.Add(Say($"{f.NestedC2S} client packets of the size of a keystroke of an SSH session nested inside this one: an SSH session through a tunnel"));
            AddOnce(labels, Labels.ForwardLocal);
        }

        // Commands typed after pauses, in a shell or in a session nested inside a tunnel, also start exchanges of many
        // sizes: only a connection nobody types into counts as reaching many destinations.
        if (f.DistinctOpenSizes >= 4 && f.KeysC2S < MinKeystrokes && f.NestedC2S < MinKeystrokes)
        {
            evidence.Add(Say($"{f.DistinctOpenSizes} different sizes of client requests after silences: connections to many destinations, as through a SOCKS proxy (-D)"));
            AddOnce(labels, Labels.ForwardDynamic);
        }

        if (f.EchoC2S >= MinEchoes)
        {
            evidence.Add(Say($"{f.EchoC2S} keystroke-sized packets ({f.KeystrokeSize} B) typed by the client and echoed by the server within 20 ms: an interactive shell"));
            labels.Add(Labels.Interactive);
        }
        // A loaded machine delays a shell's echoes too: late echoes count only when they clearly outnumber prompt ones.
        else if (f.LateEchoC2S >= MinKeystrokes && f.LateEchoC2S > 2 * f.EchoC2S)
        {
            evidence.Add(Say($"{f.LateEchoC2S} keystrokes echoed only 20–300 ms later: a line-based service behind a tunnel, not a shell"));
            AddOnce(labels, Labels.ForwardLocal);
        }

        var bulk = Math.Max(f.BytesC2S, f.BytesS2C);
        if (bulk >= BulkBytes && labels.Count == 0)
        {
            var up = f.BytesC2S > f.BytesS2C;
            var session = f.AfterAuthC1 >= 64;
            evidence.Add(Say($"{bulk / 1024} KiB moved {(up ? "client to server" : "server to client")}, {(up ? f.LargeFractionC2S : f.LargeFractionS2C):P0} of it in full-size segments"));
            if (session)
            {
                evidence.Add(Say($"the first request after authentication ({f.AfterAuthC1 + f.KeystrokeSize} B) opens a session channel: a copy program"));
                labels.Add(Labels.FileTransfer);
            }
            else
            {
                evidence.Add(Say($"the first request after authentication ({f.AfterAuthC1 + f.KeystrokeSize} B) is no session channel: data through a forwarded port"));
                labels.Add(Labels.ForwardLocal);
            }
        }

        if (labels.Count == 0)
        {
            if (!final && f.Seconds < 5)
            {
                return null;
            }

            if (f.Seconds < 60 && f.KeysC2S < MinKeystrokes && f.AfterAuthC1 >= 64)
            {
                evidence.Add(Say($"a session channel, {f.PacketsC2S + f.PacketsS2C} packets in {f.Seconds:0.0} s and no typing: a remote command"));
                labels.Add(Labels.Exec);
            }
            else
            {
                return new Verdict(Labels.Unknown, 0.2, evidence, [], null);
            }
        }

        labels.Sort(static (a, b) => Labels.Danger(b).CompareTo(Labels.Danger(a)));
        var confidence = Math.Min(0.95, 0.55 + (0.1 * evidence.Count));
        return new Verdict(labels[0], confidence, evidence, labels, null);
    }

    private static void AddOnce(List<string> labels, string label)
    {
        if (!labels.Contains(label))
        {
            labels.Add(label);
        }
    }

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
