using TunnelGuard.Ssh;

namespace TunnelGuard.Tests.Ssh;

public sealed class SshAlgorithmsTests
{
    private static KexInit Kex(string kex, string host, string enc, string mac, string comp = "none") =>
        new(kex, host, enc, enc, mac, mac, comp, comp, false);

    [Fact]
    public void Negotiation_TakesTheClientsFirstChoiceThatTheServerOffers()
    {
        var client = Kex("sntrup761x25519-sha512,curve25519-sha256,ext-info-c", "ssh-ed25519,rsa-sha2-512", "aes128-ctr,aes256-ctr", "hmac-sha2-256,hmac-sha1");
        var server = Kex("curve25519-sha256,kex-strict-s-v00@openssh.com", "rsa-sha2-512,ssh-ed25519", "aes256-ctr,aes128-ctr", "hmac-sha1,hmac-sha2-256");

        var agreed = SshAlgorithms.Negotiate(client, server);

        Assert.Equal("curve25519-sha256", agreed.Kex);
        Assert.Equal("ssh-ed25519", agreed.HostKey);
        Assert.Equal("aes128-ctr", agreed.CipherClientToServer);
        Assert.Equal("hmac-sha2-256", agreed.MacClientToServer);
        Assert.Equal("none", agreed.CompressionClientToServer);
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com")]
    [InlineData("aes128-gcm@openssh.com")]
    [InlineData("aes256-gcm@openssh.com")]
    public void AeadCipher_ImpliesItsMac(string cipher)
    {
        var both = Kex("curve25519-sha256", "ssh-ed25519", cipher, "umac-64-etm@openssh.com");

        Assert.Equal(SshAlgorithms.ImplicitMac, SshAlgorithms.Negotiate(both, both).MacClientToServer);
    }

    [Fact]
    public void NoCommonCipher_IsNull()
    {
        var agreed = SshAlgorithms.Negotiate(Kex("a", "b", "aes128-ctr", "m"), Kex("a", "b", "3des-cbc", "m"));

        Assert.Null(agreed.CipherClientToServer);
    }

    [Fact]
    public void Hassh_IsTheMd5OfTheHasshString()
    {
        // md5("a;b;c;d") computed independently: printf 'a;b;c;d' | md5sum
        Assert.Equal("845425be4f77f4097e014a6591497010", Hassh.Compute("a;b;c;d"));
    }
}
