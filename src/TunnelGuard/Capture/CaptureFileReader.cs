using System.Buffers;
using System.Buffers.Binary;

namespace TunnelGuard.Capture;

/// <summary>
/// Streams packets out of a pcap or pcapng file without allocating per packet. Every packet's bytes are a span into
/// this reader's buffer, valid until the next <see cref="TryRead"/>. Malformed input throws
/// <see cref="CaptureFileException"/> naming the file and byte offset.
/// </summary>
/// <remarks>
/// Written by hand rather than through libpcap's offline reader (SharpPcap's CaptureFileReaderDevice) because that
/// allocates two objects per packet, cannot report the read position for progress, rejects pcapng files whose
/// interfaces have different link types, and is native code that a managed fuzzer cannot instrument.
/// </remarks>
public sealed partial class CaptureFileReader : IDisposable
{
    // libpcap refuses records larger than this (MAXIMUM_SNAPLEN); a larger length means a corrupt file.
    private const int MaxRecordLength = 262_144;

    // Largest non-packet pcapng block we are willing to skip; larger means a corrupt length.
    private const int MaxSkippedBlockLength = 64 * 1024 * 1024;

    private const int BufferSize = 1024 * 1024;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    // Rented, returned by Dispose: a fresh 1 MiB array per file went to the large-object heap and cost gen2 GCs when
    // a folder of small captures was replayed.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private readonly CaptureFileFormat _format;
    // Set by HandBuffersTo: instead of moving unread bytes to the front of the buffer that holds the packets read so
    // far, the reader gives that buffer away and goes on in the one it gets back.
    private Func<byte[], byte[]>? _handOver;
    private int _start;
    private int _end;
    private long _bufferFileOffset;
    private bool _eof;

    private CaptureFileReader(Stream stream, string name, bool ownsStream)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        Name = name;
        Length = stream.CanSeek ? stream.Length : -1;
        _format = ReadFileHeader();
    }

    /// <summary>The file name used in error messages.</summary>
    public string Name { get; }

    /// <summary>Total bytes in the file, or -1 when unknown.</summary>
    public long Length { get; }

    /// <summary>Bytes consumed so far, for progress reports.</summary>
    public long Position => _bufferFileOffset + _start;

    public bool IsPcapNg => _format == CaptureFileFormat.PcapNg;

    /// <summary>Where the data of the packet last read starts in the buffer that holds it.</summary>
    internal int LastDataOffset { get; private set; }

    /// <summary>
    /// From now on, the buffer that holds the packets read so far is given to <paramref name="handOver"/> when the
    /// reader needs room (or at <see cref="HandOverBuffer"/>) instead of being reused: their spans stay valid for the
    /// new owner, and the reader goes on in the buffer that <paramref name="handOver"/> returns (at least as long as the
    /// one given, rented from <see cref="ArrayPool{T}.Shared"/> as that one was: the two swap owners, and each is returned
    /// once by whoever holds it last). Classic pcap only: a pcapng reader skips blocks in place.
    /// </summary>
    internal void HandBuffersTo(Func<byte[], byte[]> handOver)
    {
        if (IsPcapNg)
        {
            throw new InvalidOperationException("pcapng buffers are not handed over");
        }

        _handOver = handOver;
    }

    /// <summary>Hands the current buffer over now (see <see cref="HandBuffersTo"/>), with the bytes read ahead moved to the next.</summary>
    internal void HandOverBuffer()
    {
        if (_handOver is null)
        {
            throw new InvalidOperationException("no hand-over");
        }

        MoveUnreadToNextBuffer();
    }

    /// <summary>Opens a capture file; a missing, unreadable or non-capture file gives a <see cref="CaptureFileException"/>.</summary>
    public static CaptureFileReader Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CaptureFileException($"{path}: cannot open: {ex.Message}", ex);
        }

        try
        {
            return new CaptureFileReader(stream, path, ownsStream: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads captures from any stream, e.g. a fuzzer's input.</summary>
    public static CaptureFileReader FromStream(Stream stream, string name) => new(stream, name, ownsStream: false);

    /// <summary>Reads the next packet; false at a clean end of file.</summary>
    public bool TryRead(out RawPacket packet) => _format == CaptureFileFormat.PcapNg ? TryReadPcapNg(out packet) : TryReadPcap(out packet);

    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }

        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private CaptureFileFormat ReadFileHeader()
    {
        if (!Ensure(4))
        {
            throw Error(0, Available == 0 ? "empty file, not a pcap or pcapng capture" : "file too short to be a pcap or pcapng capture");
        }

        var magic = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start, 4));
        switch (magic)
        {
            case 0xA1B2C3D4: return ReadPcapHeader(bigEndian: true, nanos: false);
            case 0xD4C3B2A1: return ReadPcapHeader(bigEndian: false, nanos: false);
            case 0xA1B23C4D: return ReadPcapHeader(bigEndian: true, nanos: true);
            case 0x4D3CB2A1: return ReadPcapHeader(bigEndian: false, nanos: true);
            case 0x0A0D0D0A:
                ReadSectionHeader();
                return CaptureFileFormat.PcapNg;
            default:
                throw Error(0, $"not a pcap or pcapng capture (magic 0x{magic:x8})");
        }
    }

    private int Available => _end - _start;

    /// <summary>Makes at least <paramref name="count"/> bytes available from <see cref="_start"/>; false at end of file.</summary>
    private bool Ensure(int count)
    {
        if (Available >= count)
        {
            return true;
        }

        if (_start > 0)
        {
            MoveUnreadToNextBuffer();
        }

        while (_end < count && !_eof)
        {
            int read;
            try
            {
                read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            }
            catch (IOException ex)
            {
                throw new CaptureFileException($"{Name}: read error at byte {Position}: {ex.Message}", ex);
            }

            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }

        return Available >= count;
    }

    /// <summary>Moves the unread bytes to the front of the buffer, or of the next one when buffers are handed over.</summary>
    private void MoveUnreadToNextBuffer()
    {
        var next = _handOver is null ? _buffer : _handOver(_buffer);
        Buffer.BlockCopy(_buffer, _start, next, 0, Available);
        _buffer = next;
        _bufferFileOffset += _start;
        _end -= _start;
        _start = 0;
    }

    /// <summary>Discards <paramref name="count"/> bytes, possibly more than the buffer holds.</summary>
    private bool Skip(long count)
    {
        while (count > 0)
        {
            if (Available == 0 && !Ensure(1))
            {
                return false;
            }

            var step = (int)Math.Min(count, Available);
            _start += step;
            count -= step;
        }

        return true;
    }

    private CaptureFileException Error(long offset, string what) => new($"{Name}: {what} (at byte {offset})");

    private CaptureFileException Truncated(long offset, string what) => Error(offset, $"truncated file: {what} is cut short");
}
