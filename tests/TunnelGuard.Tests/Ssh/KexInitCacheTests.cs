using TunnelGuard.Ssh;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Ssh;

public sealed class KexInitCacheTests
{
    private static KexInit? ParseKexInit(byte[] kexInitPayload)
    {
        var parser = new SshDirectionParser();
        parser.Parse(SshBytes.Concat(SshBytes.Ascii("SSH-2.0-x\r\n"), SshBytes.Packet(kexInitPayload)), full: false);
        return parser.KexInit;
    }

    private static byte[] WithCookie(byte[] payload, byte fill)
    {
        var copy = (byte[])payload.Clone();
        copy.AsSpan(1, 16).Fill(fill);
        return copy;
    }

    private static string[] ListsWithKex(string kex)
    {
        var lists = (string[])SshBytes.OpenSshClientLists.Clone();
        lists[0] = kex;
        return lists;
    }

    [Fact]
    public void KexInitsDifferingOnlyInTheCookie_GiveTheSameInstance()
    {
        var payload = SshBytes.KexInitPayload(ListsWithKex("cookie-test-kex"));

        var first = ParseKexInit(WithCookie(payload, 0x11));
        var second = ParseKexInit(WithCookie(payload, 0xEE));

        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Equal("cookie-test-kex", first.KexAlgorithms);
    }

    [Fact]
    public void KexInitsDifferingInOneListByte_AreDecodedApart()
    {
        var first = ParseKexInit(SshBytes.KexInitPayload(ListsWithKex("one-byte-kex-a")));
        var second = ParseKexInit(SshBytes.KexInitPayload(ListsWithKex("one-byte-kex-b")));

        Assert.Equal("one-byte-kex-a", first?.KexAlgorithms);
        Assert.Equal("one-byte-kex-b", second?.KexAlgorithms);
    }

    [Fact]
    public void KexInitsDifferingInTheFollowsFlag_AreDecodedApart()
    {
        var payload = SshBytes.KexInitPayload(ListsWithKex("follows-test-kex"));
        var follows = (byte[])payload.Clone();
        follows[^5] = 1;

        Assert.False(ParseKexInit(payload)?.FirstKexPacketFollows);
        Assert.True(ParseKexInit(follows)?.FirstKexPacketFollows);
        Assert.False(ParseKexInit(payload)?.FirstKexPacketFollows);
    }

    [Fact]
    public void AMalformedKexInit_IsNotKept_AndStaysAProblemEveryTime()
    {
        var bad = SshBytes.KexInitPayload(ListsWithKex("malformed-test-kex"), lyingLengthForList: 0x7FFF_FFFF);

        for (var i = 0; i < 2; i++)
        {
            var parser = new SshDirectionParser();
            parser.Parse(SshBytes.Concat(SshBytes.Ascii("SSH-2.0-x\r\n"), SshBytes.Packet(bad)), full: false);
            Assert.Null(parser.KexInit);
            Assert.Contains("name-list 1 of 10", parser.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AKexInitLongerThanWhatIsKept_IsStillDecodedCorrectly()
    {
        var kex = string.Join(',', Enumerable.Range(0, 1200).Select(i => $"kex{i}"));

        var first = ParseKexInit(SshBytes.KexInitPayload(ListsWithKex(kex)));
        var second = ParseKexInit(SshBytes.KexInitPayload(ListsWithKex(kex)));

        Assert.Equal(kex, first?.KexAlgorithms);
        Assert.Equal(kex, second?.KexAlgorithms);
    }

    [Fact]
    public void ManyDistinctKexInits_AreAllDecodedCorrectly_PastTheCacheBound()
    {
        // More distinct KEXINITs than slots: some are overwritten, every answer stays right.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 3000; i++)
            {
                Assert.Equal($"bound-kex-{i}", ParseKexInit(SshBytes.KexInitPayload(ListsWithKex($"bound-kex-{i}")))?.KexAlgorithms);
            }
        }
    }

    [Fact]
    public void PayloadHash_DependsOnEveryByte_AndOnTheLength()
    {
        var data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var hashes = new HashSet<uint>();
        for (var length = 0; length <= data.Length; length++)
        {
            Assert.True(hashes.Add(PayloadHash.Of(data.AsSpan(0, length), 42)));
        }

        for (var i = 0; i < data.Length; i++)
        {
            var changed = (byte[])data.Clone();
            changed[i] ^= 0x01;
            Assert.True(hashes.Add(PayloadHash.Of(changed, 42)));
        }
    }
}
