using System.Buffers.Binary;

namespace TunnelGuard.Tests.Support;

/// <summary>Writes classic pcap files from frames, for tests of the reader and of replay on crafted traffic.</summary>
internal sealed class PcapBuilder
{
    private readonly MemoryStream _stream = new();

    public PcapBuilder(int linkType = 1, bool nanos = false, bool bigEndian = false, uint snaplen = 65535)
    {
        Span<byte> header = stackalloc byte[24];
        WriteU32(header, nanos ? 0xA1B23C4D : 0xA1B2C3D4, bigEndian);
        WriteU16(header[4..], 2, bigEndian);
        WriteU16(header[6..], 4, bigEndian);
        WriteU32(header[16..], snaplen, bigEndian);
        WriteU32(header[20..], (uint)linkType, bigEndian);
        _stream.Write(header);
        BigEndian = bigEndian;
        Nanos = nanos;
    }

    private bool BigEndian { get; }

    private bool Nanos { get; }

    public PcapBuilder Add(byte[] frame, long micros, int? originalLength = null, int? capturedLength = null)
    {
        Span<byte> record = stackalloc byte[16];
        var captured = capturedLength ?? frame.Length;
        WriteU32(record, (uint)(micros / 1_000_000), BigEndian);
        WriteU32(record[4..], (uint)(Nanos ? micros % 1_000_000 * 1000 : micros % 1_000_000), BigEndian);
        WriteU32(record[8..], (uint)captured, BigEndian);
        WriteU32(record[12..], (uint)(originalLength ?? frame.Length), BigEndian);
        _stream.Write(record);
        _stream.Write(frame, 0, Math.Min(captured, frame.Length));
        return this;
    }

    public byte[] ToArray() => _stream.ToArray();

    public string WriteTo(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, ToArray());
        return path;
    }

    private static void WriteU32(Span<byte> s, uint v, bool be)
    {
        if (be)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        }
    }

    private static void WriteU16(Span<byte> s, ushort v, bool be)
    {
        if (be)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        }
    }
}
