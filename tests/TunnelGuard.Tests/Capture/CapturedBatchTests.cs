using System.Runtime.InteropServices;
using TunnelGuard.Capture;

namespace TunnelGuard.Tests.Capture;

public sealed class CapturedBatchTests
{
    [Fact]
    public void TryAdd_CopiesEachFrameWithItsOwnMetadata()
    {
        var batch = new CapturedBatch(bytes: 64, frames: 4);

        Assert.True(Add(batch, [1, 2, 3], originalLength: 60, linkType: 1, micros: 10));
        Assert.True(Add(batch, [4, 5], originalLength: 0, linkType: 276, micros: 20));

        Assert.Equal(2, batch.Count);
        var first = batch.Packet(0);
        Assert.Equal([1, 2, 3], first.Data.ToArray());
        Assert.Equal(60, first.OriginalLength);
        Assert.Equal(1, first.LinkType);
        Assert.Equal(10, first.TimestampMicros);
        var second = batch.Packet(1);
        Assert.Equal([4, 5], second.Data.ToArray());
        Assert.Equal(2, second.OriginalLength); // never shorter than what was captured
        Assert.Equal(276, second.LinkType);
    }

    [Fact]
    public void TryAdd_RefusesAFrameThatDoesNotFit_AndAnyFrameOnceFull()
    {
        var batch = new CapturedBatch(bytes: 8, frames: 2);

        Assert.True(Add(batch, new byte[6]));
        Assert.False(Add(batch, new byte[3]));
        Assert.True(Add(batch, new byte[2]));
        Assert.True(batch.IsFull);
        Assert.False(Add(batch, new byte[0]));
    }

    [Fact]
    public void Clear_EmptiesTheBatchForReuse()
    {
        var batch = new CapturedBatch(bytes: 8, frames: 2);
        Add(batch, new byte[8]);

        batch.Clear();

        Assert.Equal(0, batch.Count);
        Assert.True(Add(batch, [9, 9, 9, 9, 9, 9, 9, 9]));
        Assert.Equal(8, batch.Packet(0).Data.Length);
    }

    private static bool Add(CapturedBatch batch, byte[] frame, int originalLength = 0, int linkType = 1, long micros = 0)
    {
        var native = Marshal.AllocHGlobal(Math.Max(frame.Length, 1));
        try
        {
            Marshal.Copy(frame, 0, native, frame.Length);
            return batch.TryAdd(native, frame.Length, originalLength, linkType, micros);
        }
        finally
        {
            Marshal.FreeHGlobal(native);
        }
    }
}
