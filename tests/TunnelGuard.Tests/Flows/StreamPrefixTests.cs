using System.Text;
using TunnelGuard.Flows;

namespace TunnelGuard.Tests.Flows;

public sealed class StreamPrefixTests
{
    private static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

    private static string Text(StreamPrefix p) => Encoding.ASCII.GetString(p.Contiguous);

    [Fact]
    public void InOrderSegments_AfterSyn_AreConcatenated()
    {
        var prefix = new StreamPrefix(1024);
        prefix.OnSyn(999);

        Assert.True(prefix.Add(1000, Bytes("hello ")));
        Assert.True(prefix.Add(1006, Bytes("world")));

        Assert.Equal("hello world", Text(prefix));
        Assert.True(prefix.StartSeen);
    }

    [Fact]
    public void OutOfOrderSegment_WaitsForTheGap_ThenJoins()
    {
        var prefix = new StreamPrefix(1024);
        prefix.OnSyn(0);

        Assert.False(prefix.Add(7, Bytes("world")));
        Assert.Equal(string.Empty, Text(prefix));
        Assert.True(prefix.Add(1, Bytes("hello ")));

        Assert.Equal("hello world", Text(prefix));
    }

    [Fact]
    public void Retransmission_DoesNotGrowOrChangeThePrefix()
    {
        var prefix = new StreamPrefix(1024);
        prefix.OnSyn(0);
        prefix.Add(1, Bytes("abcdef"));

        Assert.False(prefix.Add(1, Bytes("abcdef")));
        Assert.Equal("abcdef", Text(prefix));
    }

    [Fact]
    public void Overlap_KeepsTheBytesSeenFirst()
    {
        var prefix = new StreamPrefix(1024);
        prefix.OnSyn(0);
        prefix.Add(1, Bytes("abcdef"));

        Assert.True(prefix.Add(4, Bytes("XXXghi")));
        Assert.Equal("abcdefghi", Text(prefix));
    }

    [Fact]
    public void SequenceWrapAround_IsHandled()
    {
        var prefix = new StreamPrefix(1024);
        prefix.OnSyn(uint.MaxValue - 2);

        prefix.Add(uint.MaxValue - 1, Bytes("abc"));
        prefix.Add(1, Bytes("def"));

        Assert.Equal("abcdef", Text(prefix));
    }

    [Fact]
    public void Cap_StopsTheStreamAndClosesIt()
    {
        var prefix = new StreamPrefix(1024);
        prefix.OnSyn(0);

        prefix.Add(1, new byte[1000]);
        prefix.Add(1001, new byte[1000]);

        Assert.Equal(1024, prefix.ContiguousLength);
        Assert.True(prefix.IsClosed);
        Assert.False(prefix.Add(2001, new byte[10]));
    }

    [Fact]
    public void MidStream_FirstSegmentStartsThePrefix()
    {
        var prefix = new StreamPrefix(1024);

        prefix.Add(5000, Bytes("middle"));

        Assert.Equal("middle", Text(prefix));
        Assert.False(prefix.StartSeen);
    }

    [Fact]
    public void ManyIslands_ExtraOnesAreDroppedAndCounted()
    {
        var prefix = new StreamPrefix(4096);
        prefix.OnSyn(0);

        for (var i = 0; i < 20; i++)
        {
            prefix.Add((uint)(100 + (i * 100)), new byte[10]);
        }

        Assert.True(prefix.DroppedSegments > 0);
        Assert.Equal(0, prefix.ContiguousLength);
    }

    [Fact]
    public void Release_EmptiesAndRefusesMore()
    {
        var prefix = new StreamPrefix(1024);
        prefix.OnSyn(0);
        prefix.Add(1, Bytes("abc"));

        prefix.Release();

        Assert.Equal(0, prefix.ContiguousLength);
        Assert.False(prefix.Add(4, Bytes("def")));
    }
}
