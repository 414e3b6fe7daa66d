using TunnelGuard.Capture;

namespace TunnelGuard.Corpus;

/// <summary>
/// Copies a labelled corpus with every capture slimmed (<see cref="CaptureSlimmer"/>): the same manifest, the same
/// verdicts and training rows, a fraction of the bytes, so that a training corpus can be committed.
/// </summary>
public static class CorpusSlimmer
{
    /// <summary>Slims every capture IN/manifest.json lists into OUT and copies the manifest unchanged.</summary>
    public static CaptureSlimResult Slim(string input, string output, Action<string, CaptureSlimResult>? progress = null)
    {
        var manifestPath = Path.Combine(input, "manifest.json");
        var manifest = CorpusManifest.Load(manifestPath);
        if (SameFolder(input, output))
        {
            throw new IOException($"{output}: the slim corpus needs another folder than its source");
        }

        Directory.CreateDirectory(output);
        var total = default(CaptureSlimResult);
        foreach (var capture in manifest.Captures)
        {
            var target = Path.Combine(output, capture.File);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var result = CaptureSlimmer.Slim(Path.Combine(input, capture.File), target);
            progress?.Invoke(capture.File, result);
            total = new CaptureSlimResult(
                total.Frames + result.Frames,
                total.FramesCut + result.FramesCut,
                total.CapturedBytesIn + result.CapturedBytesIn,
                total.CapturedBytesOut + result.CapturedBytesOut);
        }

        // Copied byte for byte: the labels a model is trained on are exactly the recording's.
        File.Copy(manifestPath, Path.Combine(output, "manifest.json"), overwrite: true);
        return total;
    }

    // Writing a capture over the one being read would destroy it.
    private static bool SameFolder(string a, string b) =>
        string.Equals(
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)),
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
            StringComparison.Ordinal);
}
