using TunnelGuard.IntegrationTests.Infrastructure;
using TunnelGuard.Lab.Lab;
using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.IntegrationTests.Tunnels;

/// <summary>Host key verification of <see cref="SshTunnelClient"/> against the real sshd's keys, with ssh-keygen as the oracle.</summary>
[Collection(SshLabCollection.Name)]
public sealed class SshTunnelClientHostKeyTests(SshLab lab)
{
    [Theory]
    [InlineData("ed25519", "ssh-ed25519")]
    [InlineData("ecdsa", "ecdsa-sha2-nistp256")]
    [InlineData("rsa", "ssh-rsa")]
    public void KnownHosts_ListingOneKeyType_ThatKeyIsNegotiatedAndTrusted(string type, string keyType)
    {
        var path = lab.WriteKnownHosts($"known_hosts_{type}", SshLab.KnownHostsLine(lab.HostPublicKeyFile(type)));

        using var tunnel = Connect(HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(path)));

        Assert.True(tunnel.HostKeyVerdict!.Trusted);
        Assert.StartsWith($"{keyType} SHA256:{FingerprintOf(lab.HostPublicKeyFile(type))["SHA256:".Length..]} matches", tunnel.HostKeyVerdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void KnownHosts_HashedBySshKeygen_IsTrusted()
    {
        var path = lab.WriteKnownHosts("known_hosts_hashed", File.ReadAllLines(lab.KnownHostsPath));
        HostCommand.Run("ssh-keygen", "-q", "-H", "-f", path);
        var lines = File.ReadAllLines(path);
        Assert.All(lines, line => Assert.StartsWith("|1|", line, StringComparison.Ordinal));

        using var tunnel = Connect(HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(path)));

        Assert.True(tunnel.HostKeyVerdict!.Trusted);
    }

    [Fact]
    public void KnownHosts_DifferentKeyForHost_IsRefusedAsMismatch()
    {
        var path = lab.WriteKnownHosts("known_hosts_changed", SshLab.KnownHostsLine(lab.OtherHostPublicKeyFile));

        var error = Assert.Throws<TunnelConnectException>(() => Connect(HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(path))));

        Assert.Contains("host key mismatch", error.Message, StringComparison.Ordinal);
        Assert.Contains(FingerprintOf(lab.HostPublicKeyFile("ed25519")), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void KnownHosts_WithoutTheHost_IsRefused()
    {
        var line = SshLab.KnownHostsLine(lab.HostPublicKeyFile("ed25519")).Replace(SshLab.ServerAddress.ToString(), "198.18.2.99", StringComparison.Ordinal);
        var path = lab.WriteKnownHosts("known_hosts_other_host", line);

        var error = Assert.Throws<TunnelConnectException>(() => Connect(HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(path))));

        Assert.Contains($"no host key for {SshLab.ServerAddress}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KnownHosts_RevokedKey_IsRefusedEvenWhenAlsoListed()
    {
        var line = SshLab.KnownHostsLine(lab.HostPublicKeyFile("ed25519"));
        var path = lab.WriteKnownHosts("known_hosts_revoked", "@revoked " + line, line);

        var error = Assert.Throws<TunnelConnectException>(() => Connect(HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(path))));

        Assert.Contains("@revoked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PinnedFingerprints_FromSshKeygen_AreTrusted()
    {
        var pins = new[] { "ed25519", "ecdsa", "rsa" }.Select(t => FingerprintOf(lab.HostPublicKeyFile(t)));

        using var tunnel = Connect(HostKeyPolicy.FromFingerprints(pins));

        Assert.True(tunnel.HostKeyVerdict!.Trusted);
    }

    [Fact]
    public void PinnedFingerprint_OfAnotherKey_IsRefused()
    {
        var error = Assert.Throws<TunnelConnectException>(() => Connect(HostKeyPolicy.FromFingerprints([FingerprintOf(lab.OtherHostPublicKeyFile)])));

        Assert.Contains("host key mismatch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrustAny_AcceptsTheKey_AndSaysItWasNotVerified()
    {
        using var tunnel = Connect(HostKeyPolicy.TrustAny());

        Assert.True(tunnel.HostKeyVerdict!.Trusted);
        Assert.Contains("without verification", tunnel.HostKeyVerdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnauthorizedUserKey_FailsWithAuthenticationMessage()
    {
        var options = lab.Options(ForwardSpec.Parse(ForwardKind.Local, "0:198.18.2.1:9"));
        using var tunnel = new SshTunnelClient(new SshTunnelOptions
        {
            Destination = options.Destination,
            Forwards = options.Forwards,
            HostKeyPolicy = options.HostKeyPolicy,
            KeyFile = lab.OtherHostPublicKeyFile[..^".pub".Length],
        });

        var error = Assert.Throws<TunnelConnectException>(() => tunnel.Start());

        Assert.StartsWith("authentication failed for root@198.18.2.2:22", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClosedServerPort_FailsWithCannotConnect()
    {
        var options = lab.Options(ForwardSpec.Parse(ForwardKind.Local, "0:198.18.2.1:9"));
        using var tunnel = new SshTunnelClient(new SshTunnelOptions
        {
            Destination = options.Destination with { Port = 23 },
            Forwards = options.Forwards,
            HostKeyPolicy = options.HostKeyPolicy,
            KeyFile = options.KeyFile,
        });

        var error = Assert.Throws<TunnelConnectException>(() => tunnel.Start());

        Assert.StartsWith("cannot connect to root@198.18.2.2:23", error.Message, StringComparison.Ordinal);
    }

    private static string FingerprintOf(string publicKeyFile)
    {
        // ssh-keygen -lf prints "256 SHA256:base64 comment (ED25519)".
        return HostCommand.Run("ssh-keygen", "-l", "-E", "sha256", "-f", publicKeyFile).Split(' ')[1];
    }

    private SshTunnelClient Connect(HostKeyPolicy policy)
    {
        var tunnel = new SshTunnelClient(lab.Options(policy, ForwardSpec.Parse(ForwardKind.Local, "0:198.18.2.1:9")));
        try
        {
            tunnel.Start();
            return tunnel;
        }
        catch
        {
            tunnel.Dispose();
            throw;
        }
    }
}
