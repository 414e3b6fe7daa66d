using TunnelGuard.Decoding;
using TunnelGuard.Flows;

namespace TunnelGuard.Tests.Flows;

public sealed class FlowIndexTests
{
    private const ulong Seed = 0x5EED;

    private static FlowKey Key(int n) => new(
        new IpAddress(0, 0x0000_FFFF_C612_0000UL | (uint)(n & 0xFFFF)),
        (ushort)(40000 + (n >> 16)),
        new IpAddress(0, 0x0000_FFFF_C612_FF01),
        22);

    private static Flow NewFlow(FlowKey key, long id = 0) =>
        new(id, key, key.LowAddress, key.LowPort, key.HighAddress, key.HighPort, startSeen: true, now: 0, prefixCap: 1024);

    // Keys whose probe sequences all start at the same slot of an index of the initial capacity.
    private static List<FlowKey> KeysWithOneHome(FlowIndex index, int count)
    {
        var mask = index.Capacity - 1;
        var home = (int)index.Hash(Key(0)) & mask;
        var keys = new List<FlowKey>();
        for (var n = 0; keys.Count < count; n++)
        {
            if (((int)index.Hash(Key(n)) & mask) == home)
            {
                keys.Add(Key(n));
            }
        }

        return keys;
    }

    [Fact]
    public void AddedFlow_IsFound_AndAnUnknownKeyIsNot()
    {
        var index = new FlowIndex(Seed);
        var flow = NewFlow(Key(1));

        index.Add(flow);

        Assert.Same(flow, index.Find(Key(1), out _));
        Assert.Null(index.Find(Key(2), out _));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Find_GivesTheHashThatAddTakes()
    {
        var index = new FlowIndex(Seed);
        var flow = NewFlow(Key(7));

        Assert.Null(index.Find(Key(7), out var hash));
        index.Add(flow, hash);

        Assert.Equal(index.Hash(Key(7)), hash);
        Assert.Same(flow, index.Find(Key(7), out _));
    }

    [Fact]
    public void KeysWithTheSameHome_AreAllFound()
    {
        var index = new FlowIndex(Seed);
        var keys = KeysWithOneHome(index, 5);
        var flows = keys.ConvertAll(k => NewFlow(k));

        flows.ForEach(index.Add);

        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Same(flows[i], index.Find(keys[i], out _));
        }
    }

    [Fact]
    public void RemovalInTheMiddleOfAProbeChain_KeepsTheLaterKeysFindable()
    {
        var index = new FlowIndex(Seed);
        var keys = KeysWithOneHome(index, 5);
        var flows = keys.ConvertAll(k => NewFlow(k));
        flows.ForEach(index.Add);

        Assert.True(index.Remove(flows[1]));
        Assert.True(index.Remove(flows[3]));

        Assert.Null(index.Find(keys[1], out _));
        Assert.Null(index.Find(keys[3], out _));
        Assert.Same(flows[0], index.Find(keys[0], out _));
        Assert.Same(flows[2], index.Find(keys[2], out _));
        Assert.Same(flows[4], index.Find(keys[4], out _));
        Assert.Equal(3, index.Count);
    }

    [Fact]
    public void RemovalAtTheEndOfTheArray_ShiftsAChainThatWrapsAround()
    {
        // Keys whose home is the last slot: their chain wraps to slot 0 and must shift back across the end.
        var index = new FlowIndex(Seed);
        var mask = index.Capacity - 1;
        var keys = new List<FlowKey>();
        for (var n = 0; keys.Count < 4; n++)
        {
            if (((int)index.Hash(Key(n)) & mask) == mask)
            {
                keys.Add(Key(n));
            }
        }

        var flows = keys.ConvertAll(k => NewFlow(k));
        flows.ForEach(index.Add);

        Assert.True(index.Remove(flows[0]));

        for (var i = 1; i < keys.Count; i++)
        {
            Assert.Same(flows[i], index.Find(keys[i], out _));
        }
    }

    [Fact]
    public void RemovingAFlowNotInTheIndex_ReturnsFalse_AndChangesNothing()
    {
        var index = new FlowIndex(Seed);
        var inside = NewFlow(Key(1));
        index.Add(inside);

        Assert.False(index.Remove(NewFlow(Key(1))));
        Assert.False(index.Remove(NewFlow(Key(2))));

        Assert.Same(inside, index.Find(Key(1), out _));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void AddingAKeyTwice_Throws()
    {
        var index = new FlowIndex(Seed);
        index.Add(NewFlow(Key(1)));

        Assert.Throws<InvalidOperationException>(() => index.Add(NewFlow(Key(1))));
    }

    [Fact]
    public void Growth_KeepsEveryFlow_AndTheIndexAtMostHalfFull()
    {
        var index = new FlowIndex(Seed);
        var flows = new List<Flow>();
        for (var n = 0; n < 1000; n++)
        {
            flows.Add(NewFlow(Key(n)));
            index.Add(flows[^1]);
            Assert.True(index.Count * 2 <= index.Capacity);
        }

        Assert.Equal(2048, index.Capacity);
        for (var n = 0; n < 1000; n++)
        {
            Assert.Same(flows[n], index.Find(Key(n), out _));
        }
    }

    [Fact]
    public void CopyTo_GivesEveryFlowOnce()
    {
        var index = new FlowIndex(Seed);
        for (var n = 0; n < 100; n++)
        {
            index.Add(NewFlow(Key(n), n));
        }

        for (var n = 0; n < 100; n += 3)
        {
            index.Remove(index.Find(Key(n), out _)!);
        }

        var flows = new List<Flow>();
        index.CopyTo(flows);

        var ids = flows.ConvertAll(f => f.Id);
        ids.Sort();
        Assert.Equal(Enumerable.Range(0, 100).Where(n => n % 3 != 0).Select(n => (long)n), ids);
    }

    [Fact]
    public void DifferentSeeds_GiveDifferentHashes()
    {
        var a = new FlowIndex(1);
        var b = new FlowIndex(2);

        var differ = Enumerable.Range(0, 64).Count(n => a.Hash(Key(n)) != b.Hash(Key(n)));

        Assert.True(differ >= 60);
    }

    [Fact]
    public void HashesOfSimilarKeys_SpreadOverTheLowBits()
    {
        // Addresses and ports that differ in one low bit must not pile up in a few slots of a 4,096-slot array.
        var index = new FlowIndex(Seed);
        var used = new HashSet<int>();
        for (var n = 0; n < 2048; n++)
        {
            used.Add((int)index.Hash(Key(n)) & 4095);
        }

        // 2,048 random picks from 4,096 fill ~1,610 distinct slots on average.
        Assert.InRange(used.Count, 1500, 1720);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ManyRandomOperations_AgreeWithADictionary(int seed)
    {
        // A small key space, so that adds, finds and removals keep hitting the same probe chains through growth.
        var random = new Random(seed);
        var index = new FlowIndex((ulong)seed);
        var oracle = new Dictionary<FlowKey, Flow>();
        for (var step = 0; step < 200_000; step++)
        {
            var key = Key(random.Next(step < 100_000 ? 600 : 3000));
            var found = index.Find(key, out var hash);
            oracle.TryGetValue(key, out var expected);
            Assert.Same(expected, found);
            if (found is null && random.Next(3) != 0)
            {
                var flow = NewFlow(key, step);
                index.Add(flow, hash);
                oracle.Add(key, flow);
            }
            else if (found is not null && random.Next(2) == 0)
            {
                Assert.True(index.Remove(found));
                oracle.Remove(key);
            }

            Assert.Equal(oracle.Count, index.Count);
        }

        var all = new List<Flow>();
        index.CopyTo(all);
        Assert.Equal(oracle.Values.Select(f => f.Id).Order(), all.Select(f => f.Id).Order());
    }
}
