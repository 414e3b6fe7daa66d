using System.Buffers.Binary;

namespace TunnelGuard.Capture;

/// <summary>The classic pcap format (tcpdump.org/manpages/pcap-savefile.5.html).</summary>
public sealed partial class CaptureFileReader
{
    private const int PcapFileHeaderLength = 24;
    private const int PcapRecordHeaderLength = 16;

    private bool _pcapBigEndian;
    private bool _pcapNanos;
    private int _pcapLinkType;

    private CaptureFileFormat ReadPcapHeader(bool bigEndian, bool nanos)
    {
        if (!Ensure(PcapFileHeaderLength))
        {
            throw Truncated(0, "pcap file header");
        }

        var header = _buffer.AsSpan(_start, PcapFileHeaderLength);
        _pcapBigEndian = bigEndian;
        _pcapNanos = nanos;
        var major = ReadU16(header[4..], bigEndian);
        if (major != 2)
        {
            throw Error(4, $"unsupported pcap version {major}.{ReadU16(header[6..], bigEndian)}");
        }

        // The low 16 bits are the link type; the upper bits may carry FCS information (pcap-savefile(5)).
        _pcapLinkType = (int)(ReadU32(header[20..], bigEndian) & 0xFFFF);
        if (!LinkTypes.IsSupported(_pcapLinkType))
        {
            throw Error(20, $"unsupported link type {_pcapLinkType}");
        }

        _start += PcapFileHeaderLength;
        return CaptureFileFormat.Pcap;
    }

    private bool TryReadPcap(out RawPacket packet)
    {
        packet = default;
        var offset = Position;
        if (!Ensure(PcapRecordHeaderLength))
        {
            if (Available == 0)
            {
                return false;
            }

            throw Truncated(offset, "packet record header");
        }

        var header = _buffer.AsSpan(_start, PcapRecordHeaderLength);
        var seconds = ReadU32(header, _pcapBigEndian);
        var fraction = ReadU32(header[4..], _pcapBigEndian);
        var captured = ReadU32(header[8..], _pcapBigEndian);
        var original = ReadU32(header[12..], _pcapBigEndian);
        if (captured > MaxRecordLength)
        {
            throw Error(offset, $"packet record claims {captured} captured bytes, more than the {MaxRecordLength} any capture holds");
        }

        if (!Ensure(PcapRecordHeaderLength + (int)captured))
        {
            throw Truncated(offset, $"packet record of {captured} bytes");
        }

        var micros = (seconds * 1_000_000L) + (_pcapNanos ? fraction / 1000 : fraction);
        LastDataOffset = _start + PcapRecordHeaderLength;
        var data = new ReadOnlySpan<byte>(_buffer, LastDataOffset, (int)captured);
        _start += PcapRecordHeaderLength + (int)captured;
        packet = new RawPacket(_pcapLinkType, micros, data, (int)Math.Min(Math.Max(original, captured), int.MaxValue));
        return true;
    }

    private static ushort ReadU16(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    private static uint ReadU32(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
}
