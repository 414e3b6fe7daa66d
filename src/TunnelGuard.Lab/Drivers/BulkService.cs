using System.Buffers.Binary;

namespace TunnelGuard.Lab.Drivers;

/// <summary>
/// Bulk transfer service: the client sends a 16-byte header (bytes it will send, bytes it wants, both big-endian
/// 64-bit), then both directions run at once; the server closes after sending and receiving everything.
/// </summary>
internal static class BulkService
{
    public const int HeaderLength = 16;

    public static async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var up = BinaryPrimitives.ReadInt64BigEndian(header);
        var down = BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(8));
        var receive = PatternBytes.DrainAsync(stream, up, cancellationToken);
        await PatternBytes.WriteAsync(stream, down, (ulong)down, cancellationToken).ConfigureAwait(false);
        await receive.ConfigureAwait(false);
    }
}
