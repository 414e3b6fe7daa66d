using TunnelGuard.Capture;
using TunnelGuard.Corpus;

namespace TunnelGuard.Cli.Commands;

/// <summary>Replays the corpora named by --corpus, turning unreadable ones into one-line errors.</summary>
internal static class CorpusArguments
{
    public static List<CorpusReplay.LabelledConnection> Replay(IEnumerable<string> directories, CliConsole console, out bool failed, int? jitterSeed = null)
    {
        failed = false;
        var all = new List<CorpusReplay.LabelledConnection>();
        foreach (var directory in directories)
        {
            try
            {
                all.AddRange(CorpusReplay.Run(directory, jitterSeed: jitterSeed));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or CaptureFileException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"tunnelguard: {ex.Message}");
                failed = true;
            }
        }

        return all;
    }
}
