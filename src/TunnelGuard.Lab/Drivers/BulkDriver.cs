using System.Buffers.Binary;
using System.Net.Sockets;

namespace TunnelGuard.Lab.Drivers;

/// <summary>Bulk transfer through the <see cref="BulkService"/> protocol: <c>up</c> bytes out and <c>down</c> bytes back, at once.</summary>
public static class BulkDriver
{
    public static async Task RunAsync(string host, int port, long up, long down, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        var stream = client.GetStream();
        var header = new byte[BulkService.HeaderLength];
        BinaryPrimitives.WriteInt64BigEndian(header, up);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(8), down);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        var receive = PatternBytes.DrainAsync(stream, down, cancellationToken);
        await PatternBytes.WriteAsync(stream, up, (ulong)up, cancellationToken).ConfigureAwait(false);
        if (!await receive.ConfigureAwait(false))
        {
            throw new IOException($"bulk: stream ended before {down} bytes arrived");
        }

        client.Client.Shutdown(SocketShutdown.Send);
    }
}
