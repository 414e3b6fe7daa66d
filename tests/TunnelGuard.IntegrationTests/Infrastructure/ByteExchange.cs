using System.Buffers.Binary;
using System.Security.Cryptography;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>
/// A two-way transfer over one stream, both directions at once, that needs no half-close:
/// each side sends an 8-byte length and that many random bytes; the accepting side then also sends the
/// 32-byte SHA-256 of what it received, so the connecting side learns whether its bytes arrived intact.
/// </summary>
public static class ByteExchange
{
    private const int Chunk = 64 * 1024;

    /// <summary>The connecting side: sends <paramref name="sendBytes"/> random bytes, reads the peer's, returns both digests and the digest the peer reported.</summary>
    public static async Task<(ExchangeResult Result, string PeerReportedSha256)> ConnectSideAsync(Stream stream, long sendBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var send = SendAsync(stream, sendBytes, cancellationToken);
        var receive = ReceiveAsync(stream, cancellationToken);
        await Task.WhenAll(send, receive).ConfigureAwait(false);
        var reported = new byte[SHA256.HashSizeInBytes];
        await stream.ReadExactlyAsync(reported, cancellationToken).ConfigureAwait(false);
        var (sentHash, sent) = await send.ConfigureAwait(false);
        var (receivedHash, received) = await receive.ConfigureAwait(false);
        return (new ExchangeResult(sentHash, sent, receivedHash, received), Convert.ToHexStringLower(reported));
    }

    /// <summary>The accepting side: the mirror of <see cref="ConnectSideAsync"/>, then reports what it received.</summary>
    public static async Task<ExchangeResult> AcceptSideAsync(Stream stream, long sendBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var send = SendAsync(stream, sendBytes, cancellationToken);
        var receive = ReceiveAsync(stream, cancellationToken);
        await Task.WhenAll(send, receive).ConfigureAwait(false);
        var (sentHash, sent) = await send.ConfigureAwait(false);
        var (receivedHash, received) = await receive.ConfigureAwait(false);
        await stream.WriteAsync(Convert.FromHexString(receivedHash), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new ExchangeResult(sentHash, sent, receivedHash, received);
    }

    private static async Task<(string Hash, long Bytes)> SendAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(header, count);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[Chunk];
        var left = count;
        while (left > 0)
        {
            var n = (int)Math.Min(left, buffer.Length);
            RandomNumberGenerator.Fill(buffer.AsSpan(0, n));
            hash.AppendData(buffer, 0, n);
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            left -= n;
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), count);
    }

    private static async Task<(string Hash, long Bytes)> ReceiveAsync(Stream stream, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = new byte[8];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var count = BinaryPrimitives.ReadInt64BigEndian(header);
        var buffer = new byte[Chunk];
        var left = count;
        while (left > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(left, buffer.Length)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException($"stream ended after {count - left} of {count} bytes");
            }

            hash.AppendData(buffer, 0, n);
            left -= n;
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), count);
    }
}
