using System.Buffers.Binary;
using TunnelGuard.Capture;

namespace TunnelGuard.Tests.Fuzzing;

/// <summary>Inputs the reader fuzz target found (fuzz/run.sh reader); see docs/fuzzing.md.</summary>
public sealed class CaptureReaderFuzzRegressionTests
{
    private const uint EnhancedPacketBlock = 6;
    private const uint SimplePacketBlock = 3;

    [Theory]
    [InlineData(EnhancedPacketBlock, 12)]
    [InlineData(EnhancedPacketBlock, 16)]
    [InlineData(EnhancedPacketBlock, 28)]
    [InlineData(SimplePacketBlock, 12)]
    public void PcapNgPacketBlockShorterThanItsFixedFields_IsRejectedAsABadFile(uint type, int length)
    {
        var file = PcapNg(Block(type, length));

        var error = Assert.Throws<CaptureFileException>(() => ReadAll(file));
        Assert.Contains("shorter than its fixed fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PcapNgEnhancedPacketBlockOfMinimumLength_IsAnEmptyPacket()
    {
        var file = PcapNg(Block(EnhancedPacketBlock, 32));

        Assert.Equal(1, ReadAll(file));
    }

    private static int ReadAll(byte[] file)
    {
        using var stream = new MemoryStream(file);
        using var reader = CaptureFileReader.FromStream(stream, "regression");
        var packets = 0;
        while (reader.TryRead(out _))
        {
            packets++;
        }

        return packets;
    }

    private static byte[] PcapNg(byte[] packetBlock)
    {
        // Section header: byte-order magic, version 1.0, unknown section length.
        var section = Block(0x0A0D0D0A, 28);
        BinaryPrimitives.WriteUInt32LittleEndian(section.AsSpan(8), 0x1A2B3C4D);
        BinaryPrimitives.WriteUInt16LittleEndian(section.AsSpan(12), 1);
        BinaryPrimitives.WriteInt64LittleEndian(section.AsSpan(16), -1);

        // Interface description: Ethernet, snaplen 65535.
        var iface = Block(1, 20);
        BinaryPrimitives.WriteUInt16LittleEndian(iface.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(iface.AsSpan(12), 65535);

        return [.. section, .. iface, .. packetBlock];
    }

    private static byte[] Block(uint type, int length)
    {
        var block = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(block, type);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(length - 4), (uint)length);
        return block;
    }
}
