using TunnelGuard.Decoding;
using TunnelGuard.Enforcement;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Enforcement;

/// <summary>
/// The enforcer's bookkeeping with a real SQLite store and the dry-run backend (it records each firewall change;
/// the nftables backend itself is exercised against the kernel in FirewallBackendTests and the live tests).
/// </summary>
public sealed class EnforcerTests
{
    private static readonly IpAddress Client = IpAddress.Parse("198.18.6.1");
    private static readonly IpAddress Server = IpAddress.Parse("198.18.6.2");

    [Fact]
    public async Task Block_IsApplied_Recorded_AndExpiresOnTime()
    {
        using var rig = new Rig();
        var (clock, store) = (rig.Clock, rig.Store);
        var firewall = new DryRunFirewall();
        var enforcer = new Enforcer(firewall, Guard(), store, clock);

        Assert.True(enforcer.Request(new BlockDecision(BlockTarget.Client, [Client], TimeSpan.FromSeconds(30), 0), "no-tunnels", clock.NowMicros));
        await enforcer.DisposeAsync();

        Assert.Contains("block 198.18.6.1 for 30s", firewall.Actions);
        Assert.Equal(1, enforcer.Applied);
        Assert.Equal("no-tunnels", Assert.Single(store.Active(clock.NowMicros)).RuleId);

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, await enforcer.ExpireDueAsync(CancellationToken.None));
        Assert.Equal(1, enforcer.Active);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await enforcer.ExpireDueAsync(CancellationToken.None));
        Assert.Contains("unblock 198.18.6.1", firewall.Actions);
        Assert.Equal(1, enforcer.Expired);
        Assert.Equal(0, enforcer.Active);
        Assert.Empty(store.Active(clock.NowMicros));
    }

    [Fact]
    public async Task Restore_ReappliesOnlyUnexpiredBlocks_WithWhatIsLeftOfTheirTime()
    {
        using var dir = new TempDirectory();
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using (var store = BlockStore.Open(dir.File("s.db")))
        {
            store.Add(new FirewallBlock(Client, TimeSpan.FromMinutes(10), BlockScope.Pair, Server), "reverse", "first offence", 1, clock.NowMicros);
            store.Add(new FirewallBlock(IpAddress.Parse("198.18.6.9"), TimeSpan.FromSeconds(30)), "short", "first offence", 1, clock.NowMicros);
        }

        clock.Advance(TimeSpan.FromMinutes(4));
        using var reopened = BlockStore.Open(dir.File("s.db"));
        var firewall = new DryRunFirewall();
        await using var enforcer = new Enforcer(firewall, Guard(), reopened, clock);

        Assert.Equal(1, await enforcer.RestoreAsync(CancellationToken.None));
        Assert.Equal(["ready", "block 198.18.6.1 <-> 198.18.6.2 for 360s"], firewall.Actions);
        Assert.Equal(1, enforcer.Reapplied);
        Assert.Contains(reopened.AuditTrail(), e => e.Action == "reapply" && e.RuleId == "reverse");

        // Still in force: a new request for the same pair is not applied a second time.
        Assert.True(enforcer.Request(new BlockDecision(BlockTarget.Pair, [Client, Server], TimeSpan.FromMinutes(10), 0), "reverse", clock.NowMicros));
        Assert.Equal(2, firewall.Actions.Count);
    }

    [Fact]
    public async Task IgnoredAddress_IsRefused_Audited_AndNeverReachesTheFirewall()
    {
        using var rig = new Rig();
        var (clock, store) = (rig.Clock, rig.Store);
        var firewall = new DryRunFirewall();
        var enforcer = new Enforcer(firewall, Guard("198.18.6.0/24"), store, clock);

        Assert.False(enforcer.Request(new BlockDecision(BlockTarget.Client, [Client], TimeSpan.FromHours(1), 0), "no-tunnels", clock.NowMicros));
        await enforcer.DisposeAsync();

        Assert.Empty(firewall.Actions);
        Assert.Equal(1, enforcer.Refused);
        var refusal = Assert.Single(store.AuditTrail());
        Assert.Equal("refuse", refusal.Action);
        Assert.Contains("198.18.6.0/24", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirewallThatFails_IsCountedAndAuditedOnce_AndTheBlockIsRetriedUntilItWorks()
    {
        using var rig = new Rig();
        var (clock, store) = (rig.Clock, rig.Store);

        // Real nft, run in a namespace that does not exist yet: every change fails the way a broken firewall does,
        // until the namespace is created (the cause goes away). Root only.
        var ns = "tgf-" + Guid.NewGuid().ToString("N")[..8];
        var firewall = new NftablesFirewall(new CommandRunner(["ip", "netns", "exec", ns]));
        var enforcer = new Enforcer(firewall, Guard(), store, clock);
        try
        {
            Assert.True(enforcer.Request(new BlockDecision(BlockTarget.Client, [Client], TimeSpan.FromHours(1), 0), "no-tunnels", clock.NowMicros));
            await enforcer.DisposeAsync();
            await enforcer.ExpireDueAsync(CancellationToken.None);

            Assert.Equal(2, enforcer.Failures);
            Assert.Equal(0, enforcer.Applied);
            Assert.Equal(1, enforcer.Retrying);
            Assert.Single(store.AuditTrail(), e => e.Action == "error");

            ProcessRunner.Run("ip", "netns", "add", ns);
            clock.Advance(TimeSpan.FromMinutes(10));
            await enforcer.ExpireDueAsync(CancellationToken.None);

            Assert.Equal(1, enforcer.Applied);
            Assert.Equal(0, enforcer.Retrying);
            Assert.Contains("198.18.6.1 timeout 50m", ProcessRunner.Run("ip", "netns", "exec", ns, "nft", "list", "set", "inet", "tunnelguard", "addr4"), StringComparison.Ordinal);
            Assert.Equal("no-tunnels", Assert.Single(store.Active(clock.NowMicros)).RuleId);
        }
        finally
        {
            try
            {
                ProcessRunner.Run("ip", "netns", "delete", ns);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    [Fact]
    public async Task FullDiskUnderTheBlockStore_NeverStopsEnforcement_LetsGoOfTheFile_AndRecordsTheExpiryWhenSpaceIsBack()
    {
        // A real full disk: a 1 MiB tmpfs filled up after the first block was recorded. Root only.
        using var dir = new TempDirectory();
        var disk = Directory.CreateDirectory(dir.File("disk")).FullName;
        ProcessRunner.Run("mount", "-t", "tmpfs", "-o", "size=1m", "tunnelguard-test", disk);
        try
        {
            var clock = new ManualClock(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            using var store = BlockStore.Open(Path.Combine(disk, "blocks.db"));
            var firewall = new DryRunFirewall();
            var log = new ListLogger<Enforcer>();
            var enforcer = new Enforcer(firewall, Guard("198.18.6.9/32"), store, clock, log);
            Assert.True(enforcer.Request(new BlockDecision(BlockTarget.Client, [Client], TimeSpan.FromSeconds(30), 0), "no-tunnels", clock.NowMicros));
            await enforcer.DisposeAsync();
            Assert.Equal("no-tunnels", Assert.Single(store.Active(clock.NowMicros)).RuleId);

            foreach (var (file, block) in new[] { ("filler", "64k"), ("filler2", "512"), ("filler3", "1") })
            {
                ProcessRunner.TryRun("dd", "if=/dev/zero", $"of={Path.Combine(disk, file)}", $"bs={block}");
            }

            // The refusal is audited on the caller's thread (the pipeline's, in the monitor): its failure must not escape.
            Assert.False(enforcer.Request(new BlockDecision(BlockTarget.Client, [IpAddress.Parse("198.18.6.9")], TimeSpan.FromSeconds(30), 0), "no-tunnels", clock.NowMicros));
            clock.Advance(TimeSpan.FromSeconds(31));
            Assert.Equal(0, await enforcer.ExpireDueAsync(CancellationToken.None));
            Assert.Equal(0, await enforcer.ExpireDueAsync(CancellationToken.None));

            Assert.True(enforcer.StoreFailures >= 2, $"{enforcer.StoreFailures} store failures");
            Assert.Equal(0, enforcer.Failures);
            Assert.DoesNotContain(firewall.Actions, a => a.StartsWith("unblock", StringComparison.Ordinal));
            var fails = Assert.Single(log.Entries, e => e.Message.Contains("block store", StringComparison.Ordinal));
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, fails.Level);
            Assert.Contains("blocks stay in force", fails.Message, StringComparison.Ordinal);
            Assert.Empty(OpenFilesUnder(disk));

            foreach (var file in new[] { "filler", "filler2", "filler3" })
            {
                File.Delete(Path.Combine(disk, file));
            }

            Assert.Equal(1, await enforcer.ExpireDueAsync(CancellationToken.None));
            Assert.Contains("unblock 198.18.6.1", firewall.Actions);
            Assert.Contains(log.Entries, e => e.Message.Contains("works again", StringComparison.Ordinal));
            Assert.Empty(store.Active(clock.NowMicros));
            Assert.Contains(store.AuditTrail(), e => e.Action == "expire" && e.Target == "198.18.6.1");
        }
        finally
        {
            ProcessRunner.TryRun("umount", disk);
        }
    }

    /// <summary>Files under <paramref name="folder"/> this process holds open.</summary>
    private static List<string> OpenFilesUnder(string folder) =>
        [.. Directory.GetFiles("/proc/self/fd").Select(fd => new FileInfo(fd).LinkTarget).OfType<string>().Where(t => t.StartsWith(folder + "/", StringComparison.Ordinal))];

    private static BlockGuard Guard(params string[] ignore) =>
        new(new EnforcementOptions { IgnoreNetworks = ignore, IgnoreSelf = false });

    /// <summary>A store in a temporary folder and a clock that starts at a fixed time.</summary>
    private sealed class Rig : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Rig() => Store = BlockStore.Open(_dir.File("s.db"));

        public ManualClock Clock { get; } = new(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        public BlockStore Store { get; }

        public void Dispose()
        {
            Store.Dispose();
            _dir.Dispose();
        }
    }
}
