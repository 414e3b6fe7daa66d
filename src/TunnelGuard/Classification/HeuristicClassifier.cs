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

    public Verdict? Classify(ShapeFeatures f, bool final) =>
        TryJudge(f, final, out var evidence, out var labels) ? ToVerdict(f, evidence, labels) : null;

    /// <summary>
    /// Which evidence lines apply (<see cref="ShapeEvidence"/>'s bits) and which labels they name; false when the
    /// evidence allows no verdict yet. No labels means the verdict <see cref="Labels.Unknown"/>.
    /// </summary>
    internal static bool TryJudge(ShapeFeatures f, bool final, out int evidence, out LabelSet labels)
    {
        // Which evidence lines apply; their text is written only if read (ShapeEvidence).
        evidence = 0;
        labels = default;

        // Someone types on the server's side and the client's machine echoes: a shell reached through -R.
        if (f.EchoS2C >= MinEchoes && f.EchoS2C > f.EchoC2S)
        {
            evidence |= ShapeEvidence.ReverseShell;
            labels.Add(Labels.ForwardRemote);
        }

        if (f.ServerFirstOpens >= 2 && f.EchoC2S < MinKeystrokes && f.Requests <= f.ServerFirstOpens)
        {
            evidence |= ShapeEvidence.ServerOpens;
            labels.AddOnce(Labels.ForwardRemote);
        }

        if (f.NestedC2S >= MinKeystrokes && f.NestedC2S >= f.KeysC2S / 2)
        {
            evidence |= ShapeEvidence.NestedSsh;
            labels.AddOnce(Labels.ForwardLocal);
        }

        // Commands typed after pauses, in a shell or in a session nested inside a tunnel, also start exchanges of many
        // sizes: only a connection nobody types into counts as reaching many destinations.
        if (f.DistinctOpenSizes >= 4 && f.KeysC2S < MinKeystrokes && f.NestedC2S < MinKeystrokes)
        {
            evidence |= ShapeEvidence.ManyDestinations;
            labels.AddOnce(Labels.ForwardDynamic);
        }

        if (f.EchoC2S >= MinEchoes)
        {
            evidence |= ShapeEvidence.Shell;
            labels.Add(Labels.Interactive);
        }
        // A loaded machine delays a shell's echoes too: late echoes count only when they clearly outnumber prompt ones.
        else if (f.LateEchoC2S >= MinKeystrokes && f.LateEchoC2S > 2 * f.EchoC2S)
        {
            evidence |= ShapeEvidence.LateEcho;
            labels.AddOnce(Labels.ForwardLocal);
        }

        var bulk = Math.Max(f.BytesC2S, f.BytesS2C);
        if (bulk >= BulkBytes && labels.Count == 0)
        {
            var session = f.AfterAuthC1 >= 64;
            evidence |= ShapeEvidence.Bulk;
            if (session)
            {
                evidence |= ShapeEvidence.CopyProgram;
                labels.Add(Labels.FileTransfer);
            }
            else
            {
                evidence |= ShapeEvidence.ForwardedData;
                labels.Add(Labels.ForwardLocal);
            }
        }

        if (labels.Count == 0)
        {
            if (!final && f.Seconds < 5)
            {
                return false;
            }

            if (f.Seconds < 60 && f.KeysC2S < MinKeystrokes && f.AfterAuthC1 >= 64)
            {
                evidence |= ShapeEvidence.RemoteCommand;
                labels.Add(Labels.Exec);
            }
        }

        return true;
    }

    /// <summary>The verdict of a judgement that <see cref="TryJudge"/> allowed.</summary>
    internal static Verdict ToVerdict(ShapeFeatures f, int evidence, in LabelSet labels)
    {
        var lines = new ShapeEvidence(f, evidence);
        if (labels.Count == 0)
        {
            return new Verdict(Labels.Unknown, 0.2, lines, [], null);
        }

        var sorted = labels.ToList();
        var confidence = Math.Min(0.95, 0.55 + (0.1 * lines.Count));
        return new Verdict(sorted[0], confidence, lines, sorted, null);
    }
}
