using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace TunnelGuard.Flows;

/// <summary>
/// The flow table's index from 4-tuple to flow: open addressing over a power-of-two array of (hash, flow) slots,
/// linear probing, deletion by backward shift (so no tombstones, and a long-running table does not slow down), at most
/// half full. It replaces <c>Dictionary&lt;FlowKey, Flow&gt;</c>, whose code, a generic instantiation over the engine's
/// own struct, the ReadyToRun image cannot hold: about ten of its methods were compiled at every start, on the shard
/// threads. The hash is keyed with a per-process random seed, so which 4-tuples share a probe chain cannot be worked
/// out from outside and a crafted flood of flows cannot build long chains. The caller bounds the count (the table's
/// maximum flows), and so the memory: 16 bytes per slot, at most four slots per flow.
/// </summary>
internal sealed class FlowIndex
{
    private const int InitialCapacity = 16;

    // Per process, as the runtime seeds string hashing: a table's layout depends on it, never its output.
    private static readonly ulong ProcessSeed = RandomSeed();

    private readonly ulong _seed0;
    private readonly ulong _seed1;
    private readonly ulong _seed2;
    private readonly ulong _seed3;
    private readonly ulong _seed4;
    private readonly ulong _seed5;
    private Slot[] _slots = new Slot[InitialCapacity];
    private int _mask = InitialCapacity - 1;

    public FlowIndex()
        : this(ProcessSeed)
    {
    }

    /// <summary>An index whose hash uses <paramref name="seed"/>: tests choose it to build collisions.</summary>
    internal FlowIndex(ulong seed)
    {
        // Independent words from one seed (splitmix64): one per 64-bit half of the two addresses, two for the ports.
        _seed0 = SplitMix(ref seed);
        _seed1 = SplitMix(ref seed);
        _seed2 = SplitMix(ref seed);
        _seed3 = SplitMix(ref seed);
        _seed4 = SplitMix(ref seed);
        _seed5 = SplitMix(ref seed);
    }

    public int Count { get; private set; }

    internal int Capacity => _slots.Length;

    /// <summary>The flow with this key, or null; <paramref name="hash"/> is the key's hash, for <see cref="Add(Flow, uint)"/>.</summary>
    public Flow? Find(in FlowKey key, out uint hash)
    {
        hash = Hash(key);
        var slots = _slots;
        var mask = _mask;
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            // At most half full, so every probe sequence reaches an empty slot.
            var slot = slots[i];
            if (slot.Flow is null)
            {
                return null;
            }

            if (slot.Hash == hash && SameKey(slot.Flow.Key, key))
            {
                return slot.Flow;
            }
        }
    }

    /// <summary>Adds a flow whose key is not in the index yet.</summary>
    public void Add(Flow flow) => Add(flow, Hash(flow.Key));

    /// <summary>Adds a flow whose key is not in the index yet; <paramref name="hash"/> is what <see cref="Find"/> gave for its key.</summary>
    public void Add(Flow flow, uint hash)
    {
        if (Count + 1 > _slots.Length / 2)
        {
            Grow();
        }

        var slots = _slots;
        var mask = _mask;
        var i = (int)hash & mask;
        while (slots[i].Flow is { } other)
        {
            if (slots[i].Hash == hash && SameKey(other.Key, flow.Key))
            {
                ThrowDuplicate();
            }

            i = (i + 1) & mask;
        }

        slots[i] = new Slot(hash, flow);
        Count++;
    }

    /// <summary>Removes this flow (found by reference); false when it is not in the index.</summary>
    public bool Remove(Flow flow)
    {
        var slots = _slots;
        var mask = _mask;
        for (var i = (int)Hash(flow.Key) & mask; slots[i].Flow is { } found; i = (i + 1) & mask)
        {
            if (ReferenceEquals(found, flow))
            {
                RemoveAt(i);
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds every flow in the index to <paramref name="flows"/>, in no particular order.</summary>
    public void CopyTo(List<Flow> flows)
    {
        foreach (var slot in _slots)
        {
            if (slot.Flow is not null)
            {
                flows.Add(slot.Flow);
            }
        }
    }

    /// <summary>
    /// The key's hash: the sum of three 64x64→128-bit multiply-folds of seeded words (each address, the ports), which
    /// run side by side. Each attacker-chosen word meets the seed inside a multiplication, never only an XOR with another
    /// chosen word, so no family of keys collides whatever the seed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal uint Hash(in FlowKey key)
    {
        // The fold (high ^ low of the full product) is wyhash's, which Go's maps use with a random seed for the same reason.
        var low = Fold(key.LowAddress.High ^ _seed0, key.LowAddress.Low ^ _seed1);
        var high = Fold(key.HighAddress.High ^ _seed2, key.HighAddress.Low ^ _seed3);
        var ports = Fold(((ulong)key.LowPort << 16 | key.HighPort) ^ _seed4, _seed5);
        var hash = low + high + ports;
        return (uint)(hash ^ (hash >> 32));
    }

    private static ulong Fold(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameKey(in FlowKey a, in FlowKey b) =>
        a.LowAddress.Low == b.LowAddress.Low && a.HighAddress.Low == b.HighAddress.Low
        && a.LowPort == b.LowPort && a.HighPort == b.HighPort
        && a.LowAddress.High == b.LowAddress.High && a.HighAddress.High == b.HighAddress.High;

    private void RemoveAt(int hole)
    {
        // Backward shift: each later slot of the probe run moves into the hole unless that would put it before its home.
        var slots = _slots;
        var mask = _mask;
        for (var j = (hole + 1) & mask; slots[j].Flow is not null; j = (j + 1) & mask)
        {
            var home = (int)slots[j].Hash & mask;
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                slots[hole] = slots[j];
                hole = j;
            }
        }

        slots[hole] = default;
        Count--;
    }

    private void Grow()
    {
        var old = _slots;
        var slots = new Slot[old.Length * 2];
        var mask = slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot.Flow is not null)
            {
                var i = (int)slot.Hash & mask;
                while (slots[i].Flow is not null)
                {
                    i = (i + 1) & mask;
                }

                slots[i] = slot;
            }
        }

        _slots = slots;
        _mask = mask;
    }

    private static ulong RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        Random.Shared.NextBytes(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E37_79B9_7F4A_7C15;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }

    [DoesNotReturn]
    private static void ThrowDuplicate() => throw new InvalidOperationException("A flow with this key is already in the index.");

    // 16 bytes: the hash beside the reference, so that probing past other keys reads no flow.
    private readonly struct Slot(uint hash, Flow? flow)
    {
        public readonly uint Hash = hash;
        public readonly Flow? Flow = flow;
    }
}
