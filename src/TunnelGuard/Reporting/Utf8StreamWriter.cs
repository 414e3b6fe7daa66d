using System.Text;

namespace TunnelGuard.Reporting;

/// <summary>
/// A text writer that encodes into its own byte buffer in front of a stream, and also takes bytes that are UTF-8
/// already (<see cref="WriteUtf8Line"/>): JSON reports go in without the round trip through UTF-16 that a
/// <see cref="StreamWriter"/> needs, while text written between them (alert lines, a table) lands in order in the same
/// buffer. Not thread-safe: replay writes from one thread.
/// </summary>
public sealed class Utf8StreamWriter : TextWriter
{
    // Reports are a few KB each: 64 KiB writes them in few system calls.
    private const int BufferBytes = 64 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Encoder _encoder = Utf8.GetEncoder();
    private readonly byte[] _buffer = new byte[BufferBytes];
    private int _used;

    public Utf8StreamWriter(Stream stream, bool ownsStream)
    {
        _stream = stream;
        _ownsStream = ownsStream;
    }

    public override Encoding Encoding => Utf8;

    /// <summary>Appends UTF-8 bytes and a newline.</summary>
    public void WriteUtf8Line(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            if (_used == _buffer.Length)
            {
                FlushBuffer();
            }

            var step = Math.Min(utf8.Length, _buffer.Length - _used);
            utf8[..step].CopyTo(_buffer.AsSpan(_used));
            _used += step;
            utf8 = utf8[step..];
        }

        if (_used == _buffer.Length)
        {
            FlushBuffer();
        }

        _buffer[_used++] = (byte)'\n';
    }

    public override void Write(char value) => Write([value]);

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> buffer)
    {
        while (!buffer.IsEmpty)
        {
            // Room for at least one whole character (4 bytes), so that every call moves on. The encoder keeps a high
            // surrogate that ends one call for the next.
            if (_buffer.Length - _used < 4)
            {
                FlushBuffer();
            }

            _encoder.Convert(buffer, _buffer.AsSpan(_used), flush: false, out var charsUsed, out var bytesUsed, out _);
            _used += bytesUsed;
            buffer = buffer[charsUsed..];
        }
    }

    public override void Flush()
    {
        FlushBuffer();
        _stream.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                Flush();
            }
            finally
            {
                if (_ownsStream)
                {
                    _stream.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private void FlushBuffer()
    {
        if (_used > 0)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
