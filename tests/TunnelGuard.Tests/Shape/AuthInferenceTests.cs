using System.Text.Json;
using TunnelGuard.Corpus;
using TunnelGuard.Shape;
using TunnelGuard.Ssh;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Shape;

public sealed class AuthInferenceTests
{
    private static readonly CorpusManifest Manifest = CorpusManifest.Load(Path.Combine(RepoPaths.Pcaps, "manifest.json"));

    private static readonly SshAlgorithms Chacha = new("curve25519-sha256", "ssh-ed25519", "chacha20-poly1305@openssh.com", "chacha20-poly1305@openssh.com", "implicit", "implicit", "none", "none");

    public static TheoryData<string> SshCaptures()
    {
        var data = new TheoryData<string>();
        foreach (var capture in Manifest.Captures.Where(c => c.Connections.Any(x => x.IsSsh)))
        {
            data.Add(capture.File);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SshCaptures))]
    public void CommittedCaptures_FailedLoginsAreFailures_EveryOtherKeyExchangeIsASuccess(string file)
    {
        var capture = Manifest.Captures.Single(c => c.File == file);
        var reports = Replayer.Ssh(RepoPaths.Pcap(file));
        foreach (var expected in capture.Connections.Where(c => c.IsSsh))
        {
            var report = reports.Single(r => r.Client.ToString() == expected.Client);
            var outcome = capture.Scenario == "auth-failure" ? AuthOutcome.Failure
                : expected.HasshServer is not null ? AuthOutcome.Success
                : AuthOutcome.Unknown;

            Assert.Equal(outcome, report.Auth);
        }
    }

    [Fact]
    public void FailedLoginCaptures_AreThere_OneForEachCipherFamily()
    {
        var failures = Manifest.Captures.Where(c => c.Scenario == "auth-failure").Select(c => c.Cipher).Order(StringComparer.Ordinal);

        Assert.Equal(["aes128-ctr", "chacha20-poly1305@openssh.com"], failures);
    }

    [Fact]
    public void ReplayOutput_SaysTheOutcome()
    {
        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-auth-failure-chacha20.pcap"), RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--format", "jsonl");

        Assert.Equal(
            ["failure", "success"],
            run.OutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("ssh").GetProperty("auth").GetString()));
    }

    [Fact]
    public void Policy_OnTheCorpus_FailedLoginsAndUnexpectedServers_AlertExactlyWhereTheManifestSays()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), """
            lists:
              our_servers: [425d29fe50d8e4f5e37efb6e24bcf660]
            rules:
              - { id: failed-login, match: { auth: failure }, alert: { severity: low }, suppress: 0 }
              - { id: unexpected-server, match: { server_hassh_not: $our_servers }, alert: { severity: medium }, suppress: 0 }
            """);

        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path, "--format", "jsonl");

        Assert.True(run.ExitCode == 0, run.Error);
        var raised = run.OutLines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event_type").GetString() == "alert")
            .Select(e => $"{e.GetProperty("pcap").GetString()} {e.GetProperty("alert").GetProperty("rule_id").GetString()}")
            .Order(StringComparer.Ordinal);
        var ssh = Manifest.Captures.SelectMany(c => c.Connections.Where(x => x.IsSsh).Select(x => (c, x))).ToList();
        var expected = ssh.Where(p => p.c.Scenario == "auth-failure").Select(p => $"{p.c.File} failed-login")
            .Concat(ssh.Where(p => p.x.HasshServer != "425d29fe50d8e4f5e37efb6e24bcf660").Select(p => $"{p.c.File} unexpected-server"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, raised);
        Assert.Contains("ssh-auth-failure-chacha20.pcap failed-login", raised);
        // Every committed server is OpenSSH 9.2: only the SSH-1 server, which sends no KEXINIT, is not on the list.
        Assert.Contains("ssh-v1-banner.pcap unexpected-server", raised);
    }

    [Fact]
    public void ShortConversation_StillOpen_IsUnknown_ClosedIsFailure()
    {
        var recorder = Conversation(serverSizes: [60, 80, 80], clientSizes: [60, 500, 500]);

        Assert.Equal(AuthOutcome.Unknown, AuthInference.Infer(recorder, clientDirection: 0, Chacha, closed: false));
        Assert.Equal(AuthOutcome.Failure, AuthInference.Infer(recorder, clientDirection: 0, Chacha, closed: true));
    }

    [Fact]
    public void SuccessSizedServerPacket_IsSuccess_EvenBeforeTheEnd()
    {
        // chacha20-poly1305: 4-byte length + padded (1 + 1 + 4..) to 8 + 16-byte tag = 28 B for a one-byte payload.
        var recorder = Conversation(serverSizes: [60, 80, 28], clientSizes: [60, 500, 500]);

        Assert.Equal(AuthOutcome.Success, AuthInference.Infer(recorder, clientDirection: 0, Chacha, closed: false));
        Assert.Equal(-1, AuthInference.SuccessIndex(recorder.Sizes, recorder.Directions, recorder.Count, clientDirection: 1, SshPacketSizer.For("chacha20-poly1305@openssh.com", "implicit")));
    }

    [Fact]
    public void LongConversation_WithoutTheSuccessPacket_IsUnknown_NotAFailure()
    {
        var recorder = Conversation(serverSizes: [.. Enumerable.Repeat(100, AuthInference.Window)], clientSizes: [.. Enumerable.Repeat(100, AuthInference.Window)]);

        Assert.Equal(AuthOutcome.Unknown, AuthInference.Infer(recorder, clientDirection: 0, Chacha, closed: true));
    }

    [Fact]
    public void UnknownCipher_OrNoEncryptedTraffic_IsUnknown()
    {
        var recorder = Conversation(serverSizes: [60, 80], clientSizes: [60, 500]);

        Assert.Equal(AuthOutcome.Unknown, AuthInference.Infer(recorder, 0, Chacha with { CipherServerToClient = "twofish-cbc" }, closed: true));
        Assert.Equal(AuthOutcome.Unknown, AuthInference.Infer(null, 0, Chacha, closed: true));
        Assert.Equal(AuthOutcome.Unknown, AuthInference.Infer(recorder, 0, null, closed: true));
    }

    /// <summary>Client and server segments taking turns, client first, 10 ms apart.</summary>
    private static ShapeRecorder Conversation(int[] serverSizes, int[] clientSizes)
    {
        var recorder = new ShapeRecorder();
        long t = 1_000_000;
        for (var i = 0; i < Math.Max(serverSizes.Length, clientSizes.Length); i++)
        {
            if (i < clientSizes.Length)
            {
                recorder.OnSegment(t += 10_000, 0, clientSizes[i]);
            }

            if (i < serverSizes.Length)
            {
                recorder.OnSegment(t += 10_000, 1, serverSizes[i]);
            }
        }

        return recorder;
    }
}
