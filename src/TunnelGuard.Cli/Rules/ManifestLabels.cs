using TunnelGuard.Corpus;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Rules;

/// <summary>
/// Gives reports the verdict labels a corpus manifest records for them, so a policy can be tried on labelled captures
/// before the classifier fills in verdicts. Connections are matched by capture file, client and server.
/// </summary>
internal sealed class ManifestLabels(CorpusManifest manifest)
{
    public ConnectionReport Apply(ConnectionReport report)
    {
        var capture = manifest.Captures.FirstOrDefault(c => string.Equals(c.File, report.Source, StringComparison.Ordinal));
        var connection = capture?.Connections.FirstOrDefault(c => c.Client == report.Client.ToString() && c.Server == report.Server.ToString());
        if (connection?.Primary is not { } primary)
        {
            return report;
        }

        var labels = connection.Labels.Count > 0 ? connection.Labels : [primary];
        return report with
        {
            Verdict = report.Verdict with { Label = primary, Labels = labels, Confidence = 1.0, Evidence = [$"label from the corpus manifest ({capture!.File})"] },
        };
    }
}
