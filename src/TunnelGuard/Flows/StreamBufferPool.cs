using System.Numerics;

namespace TunnelGuard.Flows;

/// <summary>
/// Stream-prefix buffers kept for reuse by one flow table (<see cref="FreeBuffers{T}"/>): a buffer given back is handed
/// to the next flow, so steady state allocates nothing; what is kept is bounded by <see cref="MaxRetainedBytes"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: one pool per flow table, used on the pipeline's thread. A rented buffer belongs to the
/// <see cref="StreamPrefix"/> that rented it until that prefix gives it back (<see cref="StreamPrefix.Release"/>).
/// </remarks>
public sealed class StreamBufferPool
{
    /// <summary>Buffers come in powers of two from this size up.</summary>
    public const int SmallestBuffer = 2048;

    // Up to 1 MiB, the largest StreamPrefixBytes the options allow.
    private const int SizeClasses = 10;

    private readonly FreeBuffers<byte> _free;

    public StreamBufferPool(long maxRetainedBytes = 16 * 1024 * 1024) => _free = new FreeBuffers<byte>(SizeClasses, maxRetainedBytes);

    /// <summary>Most bytes kept in free buffers; beyond it given-back buffers are left to the GC.</summary>
    public long MaxRetainedBytes => _free.MaxRetainedBytes;

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes (a power of two); its contents are undefined.</summary>
    public byte[] Rent(int minimumLength)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, SmallestBuffer));
        return _free.TryTake(SizeClassOf(size), out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(size);
    }

    public void Return(byte[] buffer)
    {
        if (BitOperations.IsPow2(buffer.Length) && buffer.Length >= SmallestBuffer)
        {
            _free.Give(buffer, SizeClassOf(buffer.Length));
        }
    }

    private static int SizeClassOf(int size) => BitOperations.Log2((uint)size) - BitOperations.Log2(SmallestBuffer);
}
