using TunnelGuard.Ssh;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Ssh;

public sealed class SshDirectionParserTests
{
    private static SshDirectionParser Parse(byte[] bytes, bool full = false)
    {
        var parser = new SshDirectionParser();
        parser.Parse(bytes, full);
        return parser;
    }

    [Fact]
    public void IdentificationLine_IsSplitIntoProtoSoftwareAndComments()
    {
        var parser = Parse(SshBytes.Ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"));

        Assert.Equal(new SshIdentification("2.0", "OpenSSH_9.2p1", "Debian-2+deb12u10"), parser.Identification);
        Assert.Equal(SshParseState.KeyExchange, parser.State);
        Assert.True(parser.StartsWithSsh);
    }

    [Fact]
    public void IdentificationSplitAcrossSegments_IsParsedWhenComplete()
    {
        var parser = new SshDirectionParser();
        var all = SshBytes.Ascii("SSH-2.0-dropbear_2022.83\r\n");

        parser.Parse(all.AsSpan(0, 10), full: false);
        Assert.Null(parser.Identification);
        parser.Parse(all, full: false);

        Assert.Equal("dropbear_2022.83", parser.Identification?.SoftwareVersion);
    }

    [Fact]
    public void LinesBeforeTheIdentification_AreCountedAsPreBanner()
    {
        var parser = Parse(SshBytes.Ascii("Welcome\r\nauthorized use only\r\nSSH-2.0-OpenSSH_9.2\r\n"));

        Assert.Equal(2, parser.PreBannerLines);
        Assert.Equal("OpenSSH_9.2", parser.Identification?.SoftwareVersion);
        Assert.False(parser.StartsWithSsh);
    }

    [Theory]
    [InlineData("SSH-1.5-OldServer\r\n", true)]
    [InlineData("SSH-1.99-OpenSSH_3.9\r\n", false)]
    public void Ssh1_StopsAfterIdentification_But199SpeaksSsh2(string line, bool ssh1Only)
    {
        var parser = Parse(SshBytes.Ascii(line));

        Assert.Equal(ssh1Only, parser.Identification!.IsSsh1Only);
        Assert.Equal(ssh1Only ? SshParseState.Stopped : SshParseState.KeyExchange, parser.State);
    }

    [Fact]
    public void KexInit_IsParsedIntoItsNameLists()
    {
        var parser = Parse(SshBytes.Concat(SshBytes.Ascii("SSH-2.0-x\r\n"), SshBytes.KexInit(SshBytes.OpenSshClientLists)));

        Assert.NotNull(parser.KexInit);
        Assert.Equal("curve25519-sha256,ext-info-c", parser.KexInit.KexAlgorithms);
        Assert.Equal("curve25519-sha256,ext-info-c;chacha20-poly1305@openssh.com,aes128-ctr;umac-64-etm@openssh.com,hmac-sha2-256;none,zlib@openssh.com", parser.KexInit.ClientHasshString);
        Assert.Null(parser.Problem);
    }

    [Fact]
    public void KexInitSplitAcrossSegments_WaitsForTheWholePacket()
    {
        var bytes = SshBytes.Concat(SshBytes.Ascii("SSH-2.0-x\r\n"), SshBytes.KexInit(SshBytes.OpenSshClientLists));
        var parser = new SshDirectionParser();

        parser.Parse(bytes.AsSpan(0, bytes.Length - 3), full: false);
        Assert.Null(parser.KexInit);
        parser.Parse(bytes, full: false);

        Assert.NotNull(parser.KexInit);
    }

    [Fact]
    public void KexInitWithLyingNameListLength_IsAFindingNotACrash()
    {
        var bytes = SshBytes.Concat(SshBytes.Ascii("SSH-2.0-x\r\n"), SshBytes.Packet(SshBytes.KexInitPayload(SshBytes.OpenSshClientLists, lyingLengthForList: 0x7FFF_FFFF)));

        var parser = Parse(bytes);

        Assert.Equal(SshParseState.Stopped, parser.State);
        Assert.Null(parser.KexInit);
        Assert.Contains("name-list 1 of 10 claims 2147483647 bytes", parser.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void PacketWithAbsurdLength_StopsWithAProblem()
    {
        var bytes = SshBytes.Concat(SshBytes.Ascii("SSH-2.0-x\r\n"), [0xFF, 0xFF, 0xFF, 0xFF, 4, 20, 0, 0, 0]);

        var parser = Parse(bytes);

        Assert.Equal(SshParseState.Stopped, parser.State);
        Assert.Contains("4294967295", parser.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedIdentificationLine_IsKeptAsSshWithAProblem()
    {
        var parser = Parse(SshBytes.Ascii("SSH-2.0-" + new string('A', 400)));

        Assert.NotNull(parser.Identification);
        Assert.Equal(SshParseState.Stopped, parser.State);
        Assert.Contains("longer than 255", parser.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentificationWithNul_IsAFinding()
    {
        var parser = Parse(SshBytes.Ascii("SSH-2.0-evil\0tail\r\n"));

        Assert.Contains("NUL", parser.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryGarbage_IsNotSsh()
    {
        var parser = Parse([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);

        Assert.Equal(SshParseState.NotSsh, parser.State);
        Assert.False(parser.StartsWithSsh);
    }

    [Fact]
    public void EndlessPreBannerWithoutIdentification_EndsAsNotSshAtTheCap()
    {
        var lines = string.Concat(Enumerable.Repeat("x\r\n", 30_000));

        var parser = Parse(SshBytes.Ascii(lines), full: true);

        Assert.Equal(SshParseState.NotSsh, parser.State);
        Assert.Equal(30_000, parser.PreBannerLines);
    }

    [Fact]
    public void NewKeys_EndsTheCleartextPart_AndKexMessagesHintTheRole()
    {
        var bytes = SshBytes.Concat(
            SshBytes.Ascii("SSH-2.0-x\r\n"),
            SshBytes.KexInit(SshBytes.OpenSshClientLists),
            SshBytes.Packet(30, 0, 0, 0, 0),
            SshBytes.Packet(21),
            [1, 2, 3, 4, 5, 6, 7, 8]);

        var parser = Parse(bytes);

        Assert.Equal(SshParseState.Encrypted, parser.State);
        Assert.Equal(bytes.Length - 8, parser.EncryptedFrom);
        Assert.True(parser.IsFinished);
    }
}
