using TunnelGuard.Corpus;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Cli;

public sealed class CorpusCommandTests
{
    [Fact]
    public void Slim_CommittedCaptures_WritesEveryCaptureAndTheManifest()
    {
        using var dir = new TempDirectory();
        var output = dir.File("slim");

        var run = CliRun.Of("corpus", "slim", RepoPaths.Pcaps, output);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("cut to their headers", run.Out, StringComparison.Ordinal);
        Assert.All(CorpusManifest.Load(Path.Combine(RepoPaths.Pcaps, "manifest.json")).Captures, c => Assert.True(File.Exists(Path.Combine(output, c.File)), c.File));
        Assert.True(File.Exists(Path.Combine(output, "manifest.json")));
    }

    [Fact]
    public void Slim_FolderWithoutManifest_ExitsThree()
    {
        using var dir = new TempDirectory();

        var run = CliRun.Of("corpus", "slim", dir.Path, dir.File("slim"));

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("manifest.json", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Slim_IntoItsOwnFolder_ExitsThree_AndLeavesTheCapturesAlone()
    {
        using var dir = new TempDirectory();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Pcaps))
        {
            File.Copy(file, dir.File(Path.GetFileName(file)));
        }

        var run = CliRun.Of("corpus", "slim", dir.Path, dir.Path + "/");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("another folder", run.Error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(RepoPaths.Pcap("exec-aes128gcm-openssh-s1.pcap")), File.ReadAllBytes(dir.File("exec-aes128gcm-openssh-s1.pcap")));
    }
}
