namespace TunnelGuard.Lab.Drivers;

/// <summary>Fills buffers with incompressible but reproducible bytes (xorshift), so a receiver can check what it got.</summary>
internal static class PatternBytes
{
    public static void Fill(Span<byte> buffer, ref ulong state)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            buffer[i] = (byte)state;
        }
    }

    /// <summary>Writes <paramref name="count"/> pattern bytes to <paramref name="stream"/> in 16 KiB writes.</summary>
    public static async Task WriteAsync(Stream stream, long count, ulong seed, CancellationToken cancellationToken)
    {
        var state = seed | 1;
        var buffer = new byte[16 * 1024];
        while (count > 0)
        {
            var n = (int)Math.Min(buffer.Length, count);
            Fill(buffer.AsSpan(0, n), ref state);
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            count -= n;
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (discarding them); false if the stream ended early.</summary>
    public static async Task<bool> DrainAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (count > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            count -= n;
        }

        return true;
    }
}
