using TunnelGuard.Reporting;

namespace TunnelGuard.Corpus;

/// <summary>
/// Compares what the pipeline reported with what a manifest says each capture holds: every SSH connection found with
/// the right client and server, no flow the manifest calls not-ssh reported as SSH, and no SSH connection it does not
/// list. Returns one readable line per mismatch.
/// </summary>
public static class ManifestCheck
{
    public static IReadOnlyList<string> Compare(CorpusManifest manifest, IEnumerable<ConnectionReport> reports)
    {
        var byCapture = reports
            .Where(r => r.IsSsh)
            .GroupBy(r => NormalizeName(r.Source))
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var mismatches = new List<string>();
        foreach (var capture in manifest.Captures)
        {
            var name = NormalizeName(capture.File);
            var found = byCapture.TryGetValue(name, out var list) ? list : [];
            byCapture.Remove(name);
            var matched = new HashSet<ConnectionReport>();
            foreach (var expected in capture.Connections)
            {
                var forward = found.FirstOrDefault(r => r.Client.ToString() == expected.Client && r.Server.ToString() == expected.Server);
                var reversed = found.FirstOrDefault(r => r.Client.ToString() == expected.Server && r.Server.ToString() == expected.Client);
                if (!expected.IsSsh)
                {
                    if ((forward ?? reversed) is { } wrong)
                    {
                        matched.Add(wrong);
                        mismatches.Add($"{capture.File}: {expected.Client} -> {expected.Server} is not SSH, but was reported as SSH");
                    }

                    continue;
                }

                if (forward is not null)
                {
                    matched.Add(forward);
                }
                else if (reversed is not null)
                {
                    matched.Add(reversed);
                    mismatches.Add($"{capture.File}: SSH roles reversed: expected client {expected.Client}, server {expected.Server}");
                }
                else
                {
                    mismatches.Add($"{capture.File}: SSH connection {expected.Client} -> {expected.Server} not found");
                }
            }

            foreach (var extra in found.Where(r => !matched.Contains(r)))
            {
                mismatches.Add($"{capture.File}: unexpected SSH connection {extra.Client} -> {extra.Server}");
            }
        }

        foreach (var (name, extras) in byCapture)
        {
            mismatches.Add($"{name}: {extras.Count} SSH connection(s) in a capture the manifest does not list");
        }

        return mismatches;
    }

    private static string NormalizeName(string? name) => (name ?? string.Empty).Replace('\\', '/');
}
