using System.Buffers.Binary;

namespace TunnelGuard.Capture;

/// <summary>The pcapng format (IETF draft-ietf-opsawg-pcapng): sections, interfaces and packet blocks.</summary>
public sealed partial class CaptureFileReader
{
    private const uint SectionHeaderBlock = 0x0A0D0D0A;
    private const uint InterfaceDescriptionBlock = 1;
    private const uint ObsoletePacketBlock = 2;
    private const uint SimplePacketBlock = 3;
    private const uint EnhancedPacketBlock = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;

    // if_tsresol option code (pcapng §4.2).
    private const ushort OptionTsResolution = 9;

    // Bounds the interface table against a file that declares interfaces without end.
    private const int MaxInterfaces = 4096;

    private readonly List<PcapNgInterface> _interfaces = [];
    private bool _ngBigEndian;

    private void ReadSectionHeader()
    {
        var offset = Position;
        if (!Ensure(28))
        {
            throw Truncated(offset, "pcapng section header block");
        }

        var bom = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start + 8, 4));
        _ngBigEndian = bom switch
        {
            ByteOrderMagic => false,
            0x4D3C2B1A => true,
            _ => throw Error(offset + 8, $"pcapng section header has a bad byte-order magic 0x{bom:x8}"),
        };
        var length = ReadU32(_buffer.AsSpan(_start + 4, 4), _ngBigEndian);
        var major = ReadU16(_buffer.AsSpan(_start + 12, 2), _ngBigEndian);
        if (major != 1)
        {
            throw Error(offset + 12, $"unsupported pcapng version {major}");
        }

        // Interface ids are numbered per section.
        _interfaces.Clear();
        SkipBlock(offset, length);
    }

    private bool TryReadPcapNg(out RawPacket packet)
    {
        packet = default;
        while (true)
        {
            var offset = Position;
            if (!Ensure(12))
            {
                if (Available == 0)
                {
                    return false;
                }

                throw Truncated(offset, "pcapng block header");
            }

            var type = ReadU32(_buffer.AsSpan(_start, 4), _ngBigEndian);
            if (type == SectionHeaderBlock)
            {
                ReadSectionHeader();
                continue;
            }

            var length = ReadU32(_buffer.AsSpan(_start + 4, 4), _ngBigEndian);
            if (length < 12 || length % 4 != 0)
            {
                throw Error(offset, $"pcapng block of type {type} has an impossible length {length}");
            }

            switch (type)
            {
                case InterfaceDescriptionBlock:
                    ReadInterfaceDescription(offset, length);
                    continue;
                case EnhancedPacketBlock:
                    if (ReadPacketBlock(offset, length, out packet))
                    {
                        return true;
                    }

                    continue;
                case ObsoletePacketBlock:
                    if (ReadPacketBlock(offset, length, out packet))
                    {
                        return true;
                    }

                    continue;
                case SimplePacketBlock:
                    if (ReadSimplePacket(offset, length, out packet))
                    {
                        return true;
                    }

                    continue;
                default:
                    SkipBlock(offset, length);
                    continue;
            }
        }
    }

    private void ReadInterfaceDescription(long offset, uint length)
    {
        if (length > MaxRecordLength)
        {
            throw Error(offset, $"pcapng interface block claims {length} bytes");
        }

        if (length < 20 || !Ensure((int)length))
        {
            throw Truncated(offset, "pcapng interface description block");
        }

        if (_interfaces.Count >= MaxInterfaces)
        {
            throw Error(offset, $"more than {MaxInterfaces} interfaces in one pcapng section");
        }

        var block = _buffer.AsSpan(_start, (int)length);
        var linkType = ReadU16(block[8..], _ngBigEndian);
        ulong ticksPerSecond = 1_000_000;
        var options = block[16..^4];
        while (options.Length >= 4)
        {
            var code = ReadU16(options, _ngBigEndian);
            var optionLength = ReadU16(options[2..], _ngBigEndian);
            if (code == 0 || 4 + optionLength > options.Length)
            {
                break;
            }

            if (code == OptionTsResolution && optionLength >= 1)
            {
                ticksPerSecond = TicksPerSecond(options[4], offset);
            }

            options = options[Math.Min(options.Length, 4 + ((optionLength + 3) & ~3))..];
        }

        _interfaces.Add(new PcapNgInterface(linkType, ticksPerSecond));
        _start += (int)length;
    }

    private ulong TicksPerSecond(byte resolution, long offset)
    {
        // MSB clear: a power of ten; set: a power of two (pcapng §4.2, if_tsresol).
        var exponent = resolution & 0x7F;
        var powerOfTwo = (resolution & 0x80) != 0;
        if ((powerOfTwo && exponent > 63) || (!powerOfTwo && exponent > 19))
        {
            throw Error(offset, $"pcapng interface has an impossible timestamp resolution 0x{resolution:x2}");
        }

        if (powerOfTwo)
        {
            return 1UL << exponent;
        }

        ulong value = 1;
        for (var i = 0; i < exponent; i++)
        {
            value *= 10;
        }

        return value;
    }

    private bool ReadPacketBlock(long offset, uint length, out RawPacket packet)
    {
        packet = default;
        if (length > MaxRecordLength + 64 + 4096)
        {
            throw Error(offset, $"pcapng packet block claims {length} bytes, more than any capture holds");
        }

        // Block header, interface, timestamp, two lengths and the trailing length: 32 bytes before any data.
        if (length < 32)
        {
            throw Error(offset, $"pcapng packet block of {length} bytes is shorter than its fixed fields");
        }

        if (!Ensure((int)length))
        {
            throw Truncated(offset, $"pcapng packet block of {length} bytes");
        }

        var block = _buffer.AsSpan(_start, (int)length);
        var isObsolete = ReadU32(block, _ngBigEndian) == ObsoletePacketBlock;
        var interfaceId = isObsolete ? ReadU16(block[8..], _ngBigEndian) : ReadU32(block[8..], _ngBigEndian);
        var high = ReadU32(block[12..], _ngBigEndian);
        var low = ReadU32(block[16..], _ngBigEndian);
        var captured = ReadU32(block[20..], _ngBigEndian);
        var original = ReadU32(block[24..], _ngBigEndian);
        if (28 + (long)captured + 4 > length)
        {
            throw Error(offset, $"pcapng packet block claims {captured} captured bytes but is only {length} bytes long");
        }

        if (interfaceId >= _interfaces.Count)
        {
            throw Error(offset, $"pcapng packet refers to interface {interfaceId}, but only {_interfaces.Count} are described");
        }

        var iface = _interfaces[(int)interfaceId];
        var ticks = ((ulong)high << 32) | low;
        var micros = iface.TicksPerSecond == 1_000_000
            ? (long)ticks
            : (long)((UInt128)ticks * 1_000_000 / iface.TicksPerSecond);
        var data = new ReadOnlySpan<byte>(_buffer, _start + 28, (int)captured);
        _start += (int)length;
        if (!LinkTypes.IsSupported(iface.LinkType))
        {
            UnsupportedLinkTypePackets++;
            return false;
        }

        packet = new RawPacket(iface.LinkType, micros, data, (int)Math.Min(Math.Max(original, captured), int.MaxValue));
        return true;
    }

    private bool ReadSimplePacket(long offset, uint length, out RawPacket packet)
    {
        packet = default;
        if (length > MaxRecordLength + 16)
        {
            throw Error(offset, $"pcapng simple packet block claims {length} bytes");
        }

        // Block header, original length and the trailing length: 16 bytes before any data.
        if (length < 16)
        {
            throw Error(offset, $"pcapng simple packet block of {length} bytes is shorter than its fixed fields");
        }

        if (!Ensure((int)length))
        {
            throw Truncated(offset, "pcapng simple packet block");
        }

        if (_interfaces.Count == 0)
        {
            throw Error(offset, "pcapng simple packet before any interface description");
        }

        var original = ReadU32(_buffer.AsSpan(_start + 8, 4), _ngBigEndian);
        var captured = (int)Math.Min(original, length - 16);
        var data = new ReadOnlySpan<byte>(_buffer, _start + 12, captured);
        _start += (int)length;
        var iface = _interfaces[0];
        if (!LinkTypes.IsSupported(iface.LinkType))
        {
            UnsupportedLinkTypePackets++;
            return false;
        }

        // Simple packet blocks carry no timestamp.
        packet = new RawPacket(iface.LinkType, 0, data, (int)Math.Min(original, int.MaxValue));
        return true;
    }

    private void SkipBlock(long offset, uint length)
    {
        if (length < 12 || length > MaxSkippedBlockLength)
        {
            throw Error(offset, $"pcapng block claims an impossible length {length}");
        }

        if (!Skip(length))
        {
            throw Truncated(offset, $"pcapng block of {length} bytes");
        }
    }

    /// <summary>Packets skipped because their pcapng interface has a link type the decoder does not know.</summary>
    public long UnsupportedLinkTypePackets { get; private set; }

    private readonly record struct PcapNgInterface(int LinkType, ulong TicksPerSecond);
}
