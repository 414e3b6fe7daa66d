using System.Numerics;

namespace TunnelGuard.Flows;

/// <summary>
/// Stream-prefix buffers kept for reuse by one flow table. <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps a
/// few dozen arrays per size and core; a table with thousands of handshakes under way missed it on most rents and
/// allocated, and the collections that caused were the largest single cost of a replay. Here a buffer given back is
/// handed to the next flow, so steady state allocates nothing; what is kept is bounded by
/// <see cref="MaxRetainedBytes"/>.
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

    private readonly Stack<byte[]>[] _free = new Stack<byte[]>[SizeClasses];
    private long _retainedBytes;

    public StreamBufferPool(long maxRetainedBytes = 16 * 1024 * 1024)
    {
        MaxRetainedBytes = maxRetainedBytes;
        for (var i = 0; i < _free.Length; i++)
        {
            _free[i] = new Stack<byte[]>();
        }
    }

    /// <summary>Most bytes kept in free buffers; beyond it given-back buffers are left to the GC.</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes (a power of two); its contents are undefined.</summary>
    public byte[] Rent(int minimumLength)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, SmallestBuffer));
        var sizeClass = SizeClassOf(size);
        if (sizeClass < SizeClasses && _free[sizeClass].TryPop(out var buffer))
        {
            _retainedBytes -= buffer.Length;
            return buffer;
        }

        return GC.AllocateUninitializedArray<byte>(size);
    }

    public void Return(byte[] buffer)
    {
        var sizeClass = SizeClassOf(buffer.Length);
        if (BitOperations.IsPow2(buffer.Length) && buffer.Length >= SmallestBuffer && sizeClass < SizeClasses
            && _retainedBytes + buffer.Length <= MaxRetainedBytes)
        {
            _free[sizeClass].Push(buffer);
            _retainedBytes += buffer.Length;
        }
    }

    private static int SizeClassOf(int size) => BitOperations.Log2((uint)size) - BitOperations.Log2(SmallestBuffer);
}
