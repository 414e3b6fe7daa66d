using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.IntegrationTests.Tunnels;

/// <summary>known_hosts parsing and host key decisions on fixed lines made by OpenSSH's ssh-keygen; needs no root.</summary>
public sealed class KnownHostsTests
{
    // An ed25519 key; `ssh-keygen -lf` prints SHA256:s9nUPfXouwF6CYtoBPUiFRYZqTCrr3d4h1u6GnJlqUI for it.
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmbrf8M5vT22D16cW94yHSOTIwUm7/RWEUuvlJKncsA";
    private const string KeyFingerprint = "SHA256:s9nUPfXouwF6CYtoBPUiFRYZqTCrr3d4h1u6GnJlqUI";

    // `ssh-keygen -H` of "example.com KEY" and "[example.com]:2222 KEY".
    private const string HashedPort22 = "|1|jNVtHqhBH05frm2D/tA283czuKE=|o4cJJm71O/1H1cLJBJfJBZLqJLM= " + Key;
    private const string HashedPort2222 = "|1|KZKd8a1BkYhb3f4VMeqHL3Uii3o=|jlI5rVNd7baOZPbDnwuPid/jXpk= " + Key;

    // Another ed25519 key, for mismatches.
    private const string OtherKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA6Dqq+q/PELZJl0COsznBOlkz1R9Eaf7LY+FMcZOpfo";

    private static byte[] KeyBlob => Convert.FromBase64String(Key.Split(' ')[1]);

    [Theory]
    [InlineData(HashedPort22, "example.com", 22, true)]
    [InlineData(HashedPort22, "EXAMPLE.com", 22, true)]
    [InlineData(HashedPort22, "example.com", 2222, false)]
    [InlineData(HashedPort22, "example.org", 22, false)]
    [InlineData(HashedPort2222, "example.com", 2222, true)]
    [InlineData(HashedPort2222, "example.com", 22, false)]
    [InlineData("example.com,10.0.0.1 " + Key, "10.0.0.1", 22, true)]
    [InlineData("[example.com]:2222 " + Key, "example.com", 2222, true)]
    [InlineData("*.example.com " + Key, "db.example.com", 22, true)]
    [InlineData("*.example.com,!bad.example.com " + Key, "bad.example.com", 22, false)]
    [InlineData("10.0.0.? " + Key, "10.0.0.7", 22, true)]
    [InlineData("10.0.0.? " + Key, "10.0.0.70", 22, false)]
    public void Entry_MatchesHostAndPort_LikeOpenSsh(string line, string host, int port, bool matches)
    {
        var entry = KnownHostsEntry.TryParse(line, 1);

        Assert.NotNull(entry);
        Assert.Equal(matches, entry.Matches(host, port));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# comment")]
    [InlineData("example.com ssh-ed25519")]
    [InlineData("example.com ssh-ed25519 !!!notbase64")]
    [InlineData("example.com ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIEmbrf8M5vT22D16cW94yHSOTIwUm7/RWEUuvlJKncsA")]
    [InlineData("@bogus example.com " + Key)]
    [InlineData("|1|onlysalt " + Key)]
    public void Entry_NotAHostKeyLine_IsSkipped(string line)
    {
        Assert.Null(KnownHostsEntry.TryParse(line, 1));
    }

    [Fact]
    public void Policy_KeyListedForHost_IsTrusted()
    {
        var policy = Policy("other.example " + OtherKey, HashedPort22);

        var verdict = policy.Verify("example.com", 22, KeyBlob);

        Assert.True(verdict.Trusted);
        Assert.Equal($"ssh-ed25519 {KeyFingerprint} matches test line 2", verdict.Reason);
    }

    [Fact]
    public void Policy_OtherKeyListedForHost_IsMismatch()
    {
        var verdict = Policy("example.com " + OtherKey).Verify("example.com", 22, KeyBlob);

        Assert.False(verdict.Trusted);
        Assert.Equal($"host key mismatch for example.com: server presented ssh-ed25519 {KeyFingerprint}, test line(s) 1 list a different key", verdict.Reason);
    }

    [Fact]
    public void Policy_HostNotListed_IsRefused()
    {
        var verdict = Policy("other.example " + Key).Verify("example.com", 2222, KeyBlob);

        Assert.False(verdict.Trusted);
        Assert.StartsWith("no host key for [example.com]:2222 in test", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_RevokedKey_IsRefusedEvenWhenListed()
    {
        var verdict = Policy("example.com " + Key, "@revoked * " + Key).Verify("example.com", 22, KeyBlob);

        Assert.False(verdict.Trusted);
        Assert.Contains("@revoked", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_CertAuthorityLine_DoesNotTrustAPlainKey()
    {
        var verdict = Policy("@cert-authority example.com " + Key).Verify("example.com", 22, KeyBlob);

        Assert.False(verdict.Trusted);
    }

    [Fact]
    public void Policy_KnownKeyTypes_AreThoseListedForTheHost()
    {
        var policy = Policy("example.com " + Key, "other.example ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQC=");

        Assert.Equal(["ssh-ed25519"], policy.KnownKeyTypes("example.com", 22)!);
        Assert.Null(policy.KnownKeyTypes("unknown.example", 22));
    }

    [Theory]
    [InlineData(KeyFingerprint, true)]
    [InlineData(KeyFingerprint + "=", true)]
    [InlineData("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false)]
    public void FingerprintPolicy_TrustsOnlyThePinnedKey(string pin, bool trusted)
    {
        Assert.Equal(trusted, HostKeyPolicy.FromFingerprints([pin]).Verify("example.com", 22, KeyBlob).Trusted);
    }

    [Theory]
    [InlineData("s9nUPfXouwF6CYtoBPUiFRYZqTCrr3d4h1u6GnJlqUI", "must start with 'SHA256:'")]
    [InlineData("MD5:97:70:33", "must start with 'SHA256:'")]
    [InlineData("SHA256:abc", "is not 32 bytes of base64")]
    [InlineData("SHA256:!!!", "is not 32 bytes of base64")]
    public void FingerprintPolicy_MalformedPin_IsRejected(string pin, string reason)
    {
        var error = Assert.Throws<TunnelUsageException>(() => HostKeyPolicy.FromFingerprints([pin]));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sha256Fingerprint_MatchesSshKeygen()
    {
        Assert.Equal(KeyFingerprint, "SHA256:" + SshKeyBlob.Sha256Fingerprint(KeyBlob));
    }

    private static HostKeyPolicy Policy(params string[] lines) => HostKeyPolicy.FromKnownHosts(KnownHostsFile.Parse("test", lines));
}
