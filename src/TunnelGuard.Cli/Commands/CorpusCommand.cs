using System.CommandLine;
using System.Globalization;
using TunnelGuard.Capture;
using TunnelGuard.Corpus;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard corpus slim IN OUT`: a labelled corpus without the encrypted bytes nothing reads.</summary>
internal static class CorpusCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("corpus", "Work on labelled corpora (folders with captures and manifest.json).");
        command.Subcommands.Add(Slim(console));
        return command;
    }

    private static Command Slim(CliConsole console)
    {
        var input = new Argument<string>("IN") { Description = "corpus folder with manifest.json (e.g. corpus/train)" };
        var output = new Argument<string>("OUT") { Description = "folder for the slim copy" };
        var slim = new Command(
            "slim",
            "Copy a corpus keeping whole the frames the SSH handshake parser reads (up to NEWKEYS) and only the headers of later ones: same verdicts, features and trained model, far fewer bytes.")
        {
            input,
            output,
        };
        slim.SetAction(parse =>
        {
            try
            {
                var total = CorpusSlimmer.Slim(parse.GetValue(input)!, parse.GetValue(output)!);
                console.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{total.Frames} frames, {total.FramesCut} cut to their headers; captured bytes {total.CapturedBytesIn:N0} -> {total.CapturedBytesOut:N0}"));
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or CaptureFileException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"tunnelguard: {ex.Message}");
                return ExitCodes.BadInput;
            }
        });
        return slim;
    }
}
