using System.Diagnostics.CodeAnalysis;

namespace TunnelGuard.Flows;

/// <summary>
/// Buffers given back for reuse, by size class, up to <see cref="MaxRetainedBytes"/>: what a pool for one pipeline
/// keeps. <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps a few dozen arrays per size and core; a table with
/// thousands of connections under way missed it on most rents and allocated, so its pools keep their own.
/// </summary>
/// <remarks>Not thread-safe: used on one pipeline's thread. A buffer taken belongs to the taker until given back.</remarks>
public sealed class FreeBuffers<T>
{
    private readonly Stack<T[]>[] _free;
    private long _retainedBytes;

    public FreeBuffers(int sizeClasses, long maxRetainedBytes)
    {
        MaxRetainedBytes = maxRetainedBytes;
        _free = new Stack<T[]>[sizeClasses];
        for (var i = 0; i < _free.Length; i++)
        {
            _free[i] = new Stack<T[]>();
        }
    }

    /// <summary>Most bytes kept in free buffers; beyond it given-back buffers are left to the GC.</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>A free buffer of <paramref name="sizeClass"/> (its contents undefined), if one is kept.</summary>
    public bool TryTake(int sizeClass, [NotNullWhen(true)] out T[]? buffer)
    {
        if ((uint)sizeClass < (uint)_free.Length && _free[sizeClass].TryPop(out buffer))
        {
            _retainedBytes -= Bytes(buffer);
            return true;
        }

        buffer = null;
        return false;
    }

    /// <summary>Keeps <paramref name="buffer"/> for the next taker of <paramref name="sizeClass"/>, unless that is beyond the classes or the bound.</summary>
    public void Give(T[] buffer, int sizeClass)
    {
        if ((uint)sizeClass < (uint)_free.Length && _retainedBytes + Bytes(buffer) <= MaxRetainedBytes)
        {
            _free[sizeClass].Push(buffer);
            _retainedBytes += Bytes(buffer);
        }
    }

    private static long Bytes(T[] buffer) => (long)buffer.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
