using TunnelGuard.Decoding;
using TunnelGuard.Enforcement;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Enforcement;

public sealed class BlockStoreTests
{
    private static readonly IpAddress Client = IpAddress.Parse("198.18.6.1");
    private static readonly IpAddress Server = IpAddress.Parse("198.18.6.2");
    private const long T0 = 1_800_000_000_000_000;

    [Fact]
    public void AddedBlock_IsActiveUntilItsExpiry_AndSurvivesReopening()
    {
        using var dir = new TempDirectory();
        using (var store = BlockStore.Open(dir.File("s.db")))
        {
            store.Add(new FirewallBlock(Client, TimeSpan.FromMinutes(10)), "rule-a", "first offence", 1, T0);
        }

        using var reopened = BlockStore.Open(dir.File("s.db"));
        var active = Assert.Single(reopened.Active(T0 + 1));
        Assert.Equal(Client, active.Address);
        Assert.Null(active.Peer);
        Assert.Equal("rule-a", active.RuleId);
        Assert.Equal(T0 + 600_000_000, active.ExpiresMicros);
        Assert.Empty(reopened.Active(T0 + 600_000_000));
    }

    [Fact]
    public void ExpireDue_EndsOnlyBlocksThatRanOut_AndAuditsEach()
    {
        using var dir = new TempDirectory();
        using var store = BlockStore.Open(dir.File("s.db"));
        store.Add(new FirewallBlock(Client, TimeSpan.FromSeconds(5)), "short", "r", 1, T0);
        store.Add(new FirewallBlock(Server, TimeSpan.FromHours(1)), "long", "r", 1, T0);

        var expired = Assert.Single(store.ExpireDue(T0 + 5_000_000));
        Assert.Equal("short", expired.RuleId);
        Assert.Empty(store.ExpireDue(T0 + 6_000_000));
        Assert.Equal("long", Assert.Single(store.Active(T0 + 6_000_000)).RuleId);
        Assert.Equal("expired", store.All().Single(r => r.RuleId == "short").EndReason);
        Assert.Contains(store.AuditTrail(), e => e.Action == "expire" && e.Target == "198.18.6.1");
    }

    [Fact]
    public void PairBlock_IsRemovedWhicheverOrderThePairIsNamedIn()
    {
        using var dir = new TempDirectory();
        using var store = BlockStore.Open(dir.File("s.db"));
        store.Add(new FirewallBlock(Client, TimeSpan.FromHours(1), BlockScope.Pair, Server), "pair", "r", 1, T0);

        var removed = Assert.Single(store.Remove(Server, Client, "analyst", T0 + 10));
        Assert.Equal("198.18.6.1 <-> 198.18.6.2", removed.Target);
        Assert.Empty(store.Active(T0 + 20));
        Assert.Contains(store.AuditTrail(), e => e.Action == "unblock" && e.Detail == "removed by analyst");
    }

    [Fact]
    public void BlockingAnAddressAgain_ReplacesItsOpenBlock()
    {
        using var dir = new TempDirectory();
        using var store = BlockStore.Open(dir.File("s.db"));
        store.Add(new FirewallBlock(Client, TimeSpan.FromMinutes(1)), "r", "first offence", 1, T0);
        store.Add(new FirewallBlock(Client, TimeSpan.FromMinutes(2)), "r", "offence 2", 2, T0 + 30_000_000);

        var active = Assert.Single(store.Active(T0 + 31_000_000));
        Assert.Equal(2, active.Offence);
        Assert.Equal("replaced", store.All().Single(r => r.Offence == 1).EndReason);
    }
}
