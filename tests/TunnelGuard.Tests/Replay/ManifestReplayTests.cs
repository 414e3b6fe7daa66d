using TunnelGuard.Corpus;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Replay;

/// <summary>The committed captures replayed against their manifest: connections, roles, fingerprints and ciphers.</summary>
public sealed class ManifestReplayTests
{
    private static readonly CorpusManifest Manifest = CorpusManifest.Load(Path.Combine(RepoPaths.Pcaps, "manifest.json"));

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var capture in Manifest.Captures)
        {
            data.Add(capture.File);
        }

        return data;
    }

    [Fact]
    public void Manifest_ListsEveryCommittedCapture()
    {
        var listed = Manifest.Captures.Select(c => c.File).Order(StringComparer.Ordinal);
        var present = Directory.EnumerateFiles(RepoPaths.Pcaps, "*.pcap*").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(present, listed);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Replay_FindsEverySshConnectionWithRightRoles_AndNoOthers(string file)
    {
        var capture = Manifest.Captures.Single(c => c.File == file);
        var reports = Replayer.Run(RepoPaths.Pcap(file));

        var mismatches = ManifestCheck.Compare(new CorpusManifest { Captures = [capture] }, reports);

        Assert.Empty(mismatches);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Replay_FingerprintsAndCipher_MatchTheManifest(string file)
    {
        var capture = Manifest.Captures.Single(c => c.File == file);
        var reports = Replayer.Ssh(RepoPaths.Pcap(file));
        foreach (var expected in capture.Connections.Where(c => c.IsSsh))
        {
            var report = reports.Single(r => r.Client.ToString() == expected.Client);
            Assert.Equal(expected.Hassh, report.SshClient?.Hassh);
            Assert.Equal(expected.HasshServer, report.SshServer?.Hassh);
            if (capture.Cipher is not null && expected.Hassh is not null)
            {
                Assert.Equal(capture.Cipher, report.Algorithms?.CipherClientToServer);
                Assert.Equal(capture.Mac, report.Algorithms?.MacClientToServer);
            }

            Assert.Equal(expected.Initiator == "server", report.OpenedByServer);
        }
    }
}
