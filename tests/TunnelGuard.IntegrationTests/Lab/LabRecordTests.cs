using TunnelGuard.Classification;
using TunnelGuard.IntegrationTests.Infrastructure;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Lab;

/// <summary>`lab record --scenarios all` at small size: every scenario captured, the manifest true to the captures.</summary>
[Collection(LabCollection.Name)]
public sealed class LabRecordTests(LabRecording recording)
{
    // The labels a manifest uses: the six uses and not-ssh (never unknown).
    private static readonly string[] ManifestVocabulary = [.. Labels.Classes, Labels.NotSsh];

    [Fact]
    public void RecordAll_EveryScenario_WritesOneCapture()
    {
        Assert.True(recording.ExitCode == 0, recording.Output);
        foreach (var scenario in ScenarioCatalog.All)
        {
            var capture = Assert.Single(recording.Manifest.Captures, c => c.Scenario == scenario.Name);
            Assert.True(File.Exists(Path.Combine(recording.Directory, capture.File)), capture.File);
            Assert.EndsWith($"-{scenario.ClientTag}-s{LabRecording.Seed}.pcap", capture.File, StringComparison.Ordinal);
            Assert.Equal(LabRecording.Seed, capture.Seed);
            Assert.Equal(scenario.ClientTag, capture.ClientImplementation);
        }
    }

    [Fact]
    public void Manifest_EveryConnection_HasItsSynAndBannersInTheCapture_ByTshark()
    {
        Assert.NotEmpty(recording.Manifest.Captures);
        foreach (var capture in recording.Manifest.Captures)
        {
            var pcap = Path.Combine(recording.Directory, capture.File);
            var syns = Tshark.Syns(pcap);
            var banners = Tshark.Banners(pcap);
            Assert.NotEmpty(capture.Connections);
            foreach (var connection in capture.Connections)
            {
                var opened = connection.Initiator == "server" ? (connection.Server, connection.Client) : (connection.Client, connection.Server);
                Assert.True(syns.Contains(opened), $"{capture.File}: no SYN {opened.Item1} -> {opened.Item2}; SYNs: {string.Join(", ", syns)}");
                if (connection.IsSsh)
                {
                    Assert.Contains(banners, b => b.Sender == connection.Client && b.Banner.StartsWith("SSH-2.0-", StringComparison.Ordinal));
                    Assert.Contains(banners, b => b.Sender == connection.Server && b.Banner.StartsWith("SSH-2.0-OpenSSH", StringComparison.Ordinal));
                }
                else
                {
                    Assert.DoesNotContain(banners, b => b.Sender == connection.Client || b.Sender == connection.Server);
                }
            }

            // Every SSH connection in the capture is one the manifest lists.
            foreach (var (sender, banner) in banners.Where(b => b.Banner.StartsWith("SSH-", StringComparison.Ordinal)))
            {
                Assert.Contains(capture.Connections, c => c.Client == sender || c.Server == sender);
            }
        }
    }

    [Fact]
    public void Manifest_Labels_FollowTheVocabularyAndPutForwardsFirst()
    {
        var seen = new HashSet<string>();
        foreach (var connection in recording.Manifest.Captures.SelectMany(c => c.Connections))
        {
            Assert.All(connection.Labels, label => Assert.Contains(label, ManifestVocabulary));
            Assert.Equal(connection.Labels[0], connection.Primary);
            var forward = connection.Labels.FirstOrDefault(l => l.StartsWith("forward-", StringComparison.Ordinal));
            if (forward is not null)
            {
                Assert.Equal(forward, connection.Primary);
            }

            seen.UnionWith(connection.Labels);
        }

        Assert.Equal(ManifestVocabulary.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Recording_CoversFourCipherChoicesAndFourClientImplementations()
    {
        var ssh = recording.Manifest.Captures.Where(c => c.Cipher is not null).ToList();
        Assert.True(ssh.Select(c => c.Cipher + "/" + c.Mac).Distinct().Count() >= 4, string.Join(", ", ssh.Select(c => c.Cipher + "/" + c.Mac).Distinct()));
        Assert.Equal(["dropbear", "openssh", "plink", "sshnet"], ssh.Select(c => c.ClientImplementation!).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Plink_EveryScenario_IsPuTTYOnTheWire_ByTshark()
    {
        var plink = recording.Manifest.Captures.Where(c => c.ClientImplementation == "plink").ToList();
        Assert.Equal(["plink-exec", "plink-interactive", "plink-local-bulk"], plink.Select(c => c.Scenario).Order(StringComparer.Ordinal));
        foreach (var capture in plink)
        {
            var client = Assert.Single(capture.Connections).Client;
            var banners = Tshark.Banners(Path.Combine(recording.Directory, capture.File));
            Assert.Contains(banners, b => b.Sender == client && b.Banner.StartsWith("SSH-2.0-PuTTY_", StringComparison.Ordinal));
            Assert.StartsWith("PuTTY_", capture.ClientSoftware, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ProxyJump_HasClientToJumpAndJumpToServer()
    {
        var capture = Assert.Single(recording.Manifest.Captures, c => c.Scenario == "proxyjump");
        Assert.Contains(capture.Connections, c => c.Server == $"{LabTopology.JumpAddress}:22" && c.Primary == Labels.ForwardLocal);
        Assert.Contains(capture.Connections, c => c.Client.StartsWith(LabTopology.JumpAddress + ":", StringComparison.Ordinal) && c.Server == $"{LabTopology.ServerAddress}:22" && c.Primary == Labels.Interactive);
    }

    [Fact]
    public void Interactive_OpenSshKeystrokes_HaveTheCiphersKeystrokeSize_ByTshark()
    {
        var capture = Assert.Single(recording.Manifest.Captures, c => c.Scenario == "interactive");
        var expected = (capture.Cipher, capture.Mac) switch
        {
            ("aes128-ctr", "hmac-sha2-256") => 64,
            ("aes128-ctr", "hmac-sha2-256-etm@openssh.com") => 52,
            _ => 36,
        };
        var client = capture.Connections[0].Client.Split(':');
        var sizes = Tshark.Fields(Path.Combine(recording.Directory, capture.File), $"ip.src=={client[0]} && tcp.srcport=={client[1]} && tcp.len>0", "tcp.len");
        Assert.True(sizes.Count(s => s[0] == expected.ToString(System.Globalization.CultureInfo.InvariantCulture)) >= 10, $"{capture.Cipher}/{capture.Mac}: {string.Join(' ', sizes.Select(s => s[0]))}");
    }

    [Fact]
    public async Task Replay_WithExpect_AgreesWithTheManifest()
    {
        using var replay = CliProcess.Start("replay", recording.Directory, "--expect", recording.ManifestPath, "--format", "jsonl", "--output", "/dev/null");
        var code = await replay.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.True(code == 0, replay.StandardOutput + replay.StandardError);
    }

    [Fact]
    public void RecordAll_LeavesNoNamespaceProcessOrStateBehind() => LabLeftovers.AssertNone();
}
