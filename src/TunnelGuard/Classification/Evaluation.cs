using System.Globalization;
using System.Text;
using TunnelGuard.Corpus;

namespace TunnelGuard.Classification;

/// <summary>
/// Scores a classifier on labelled connections the way the pipeline would have judged them: at each checkpoint of each
/// connection in order, the last one final. Per-class precision, recall and F1, a confusion matrix, tunnel recall and
/// false alarms, and how long each connection took to reach its first correct verdict.
/// </summary>
public sealed class Evaluation
{
    private static readonly string[] Predicted = [.. Labels.Classes, Labels.Unknown];
    private readonly int[,] _confusion = new int[Labels.Classes.Length, Predicted.Length];
    private readonly List<double> _timeToCorrect = [];
    private readonly List<double> _tunnelTimeToCorrect = [];
    private int _tunnels;
    private int _tunnelsCaught;
    private int _nonTunnels;
    private int _falseAlarms;

    public int Connections { get; private set; }

    public List<string> Misses { get; } = [];

    public void Add(IShapeClassifier classifier, CorpusReplay.LabelledConnection connection)
    {
        var expected = connection.Expected.Primary!;
        var truth = Array.IndexOf(Labels.Classes, expected);
        if (truth < 0)
        {
            return;
        }

        var history = connection.Report.FeatureHistory;
        var final = Labels.Unknown;
        double? firstCorrect = null;
        for (var i = 0; i < history.Count; i++)
        {
            var verdict = classifier.Classify(history[i], final: i == history.Count - 1);
            if (verdict is null)
            {
                continue;
            }

            final = verdict.Label;
            if (firstCorrect is null && verdict.Label == expected)
            {
                firstCorrect = history[i].Seconds;
            }
        }

        Connections++;
        _confusion[truth, Math.Max(0, Array.IndexOf(Predicted, final))]++;
        if (final != expected)
        {
            Misses.Add($"{connection.Capture.File} {connection.Expected.Client} -> {connection.Expected.Server}: expected {expected}, got {final}");
        }

        if (firstCorrect is { } seconds)
        {
            _timeToCorrect.Add(seconds);
        }

        if (Labels.IsForward(expected))
        {
            _tunnels++;
            _tunnelsCaught += Labels.IsForward(final) ? 1 : 0;
            if (firstCorrect is { } tunnelSeconds)
            {
                _tunnelTimeToCorrect.Add(tunnelSeconds);
            }
        }
        else
        {
            _nonTunnels++;
            _falseAlarms += Labels.IsForward(final) ? 1 : 0;
        }
    }

    public double TunnelRecall => _tunnels == 0 ? double.NaN : (double)_tunnelsCaught / _tunnels;

    public double FalseAlarmRate => _nonTunnels == 0 ? double.NaN : (double)_falseAlarms / _nonTunnels;

    public double MedianTunnelSecondsToCorrect => Median(_tunnelTimeToCorrect);

    public double MacroF1 => Labels.Classes.Select((_, i) => F1(i)).Where(f => !double.IsNaN(f)).DefaultIfEmpty(double.NaN).Average();

    public double Precision(int c)
    {
        var predicted = 0;
        for (var t = 0; t < Labels.Classes.Length; t++)
        {
            predicted += _confusion[t, c];
        }

        return predicted == 0 ? double.NaN : (double)_confusion[c, c] / predicted;
    }

    public double Recall(int c)
    {
        var actual = 0;
        for (var p = 0; p < Predicted.Length; p++)
        {
            actual += _confusion[c, p];
        }

        return actual == 0 ? double.NaN : (double)_confusion[c, c] / actual;
    }

    public double F1(int c)
    {
        var p = Precision(c);
        var r = Recall(c);
        return double.IsNaN(p) || double.IsNaN(r) ? double.NaN : p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public string Render()
    {
        var b = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        b.AppendLine(inv, $"{Connections} labelled SSH connections");
        b.AppendLine(inv, $"{"class",-16} {"precision",9} {"recall",7} {"F1",6} {"n",5}");
        for (var c = 0; c < Labels.Classes.Length; c++)
        {
            var n = 0;
            for (var p = 0; p < Predicted.Length; p++)
            {
                n += _confusion[c, p];
            }

            b.AppendLine(inv, $"{Labels.Classes[c],-16} {Fmt(Precision(c)),9} {Fmt(Recall(c)),7} {Fmt(F1(c)),6} {n,5}");
        }

        b.AppendLine(Summary());
        b.AppendLine(inv, $"time to first correct verdict: median {Fmt(Median(_timeToCorrect))} s over all, {Fmt(MedianTunnelSecondsToCorrect)} s over tunnels");
        b.AppendLine("confusion (rows: truth, columns: verdict)");
        b.Append(' ', 16);
        foreach (var p in Predicted)
        {
            b.Append(inv, $" {Short(p),6}");
        }

        b.AppendLine();
        for (var t = 0; t < Labels.Classes.Length; t++)
        {
            b.Append(inv, $"{Labels.Classes[t],-16}");
            for (var p = 0; p < Predicted.Length; p++)
            {
                b.Append(inv, $" {_confusion[t, p],6}");
            }

            b.AppendLine();
        }

        return b.ToString();
    }

    /// <summary>Macro-F1, tunnel recall and false alarms in one line.</summary>
    public string Summary() => string.Create(
        CultureInfo.InvariantCulture,
        $"macro-F1 {Fmt(MacroF1)}; tunnel recall {Fmt(TunnelRecall)} ({_tunnelsCaught}/{_tunnels}); false alarms {Fmt(FalseAlarmRate)} ({_falseAlarms}/{_nonTunnels} non-tunnel connections)");

    private static string Short(string label) => label switch
    {
        Labels.Interactive => "inter",
        Labels.FileTransfer => "xfer",
        Labels.ForwardLocal => "fwd-L",
        Labels.ForwardRemote => "fwd-R",
        Labels.ForwardDynamic => "fwd-D",
        Labels.Unknown => "unk",
        _ => label,
    };

    private static string Fmt(double value) => double.IsNaN(value) ? "-" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
