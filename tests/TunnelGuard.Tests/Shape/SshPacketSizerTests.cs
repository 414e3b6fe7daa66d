using TunnelGuard.Shape;

namespace TunnelGuard.Tests.Shape;

public sealed class SshPacketSizerTests
{
    // Keystroke sizes measured on the wire with OpenSSH 9.2 (FIELD-NOTES; the interactive capture in pcaps/ shows 36 B).
    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", "implicit", 36)]
    [InlineData("aes128-gcm@openssh.com", "implicit", 36)]
    [InlineData("aes256-gcm@openssh.com", "implicit", 36)]
    [InlineData("aes128-ctr", "hmac-sha2-256-etm@openssh.com", 52)]
    [InlineData("aes128-ctr", "hmac-sha2-256", 64)]
    [InlineData("aes256-ctr", "umac-64-etm@openssh.com", 28)]
    public void Keystroke_MatchesTheSizeMeasuredOnTheWire(string cipher, string mac, int expected)
    {
        Assert.Equal(expected, SshPacketSizer.For(cipher, mac)!.Keystroke);
    }

    [Fact]
    public void NestedKeystroke_ChachaInsideChacha_Is76()
    {
        var sizer = SshPacketSizer.For("chacha20-poly1305@openssh.com", "implicit")!;

        Assert.Equal(76, sizer.NestedKeystroke(sizer.Keystroke));
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", "implicit", 28)]
    [InlineData("aes128-ctr", "hmac-sha2-256", 48)]
    public void UserauthSuccess_MatchesTheCaptures(string cipher, string mac, int expected)
    {
        // SSH_MSG_USERAUTH_SUCCESS has a one-byte payload: S28 in the chacha captures, S48 on port 2222 (aes128-ctr + hmac).
        Assert.Equal(expected, SshPacketSizer.For(cipher, mac)!.ForPayload(1));
    }

    [Fact]
    public void UnknownCipher_HasNoSizer()
    {
        Assert.Null(SshPacketSizer.For("twofish-cbc", "hmac-sha2-256"));
        Assert.Null(SshPacketSizer.For("aes128-ctr", "hmac-whirlpool"));
    }
}
