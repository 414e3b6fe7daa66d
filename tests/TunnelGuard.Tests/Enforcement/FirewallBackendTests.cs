using System.Diagnostics;
using TunnelGuard.Decoding;
using TunnelGuard.Enforcement;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Enforcement;

/// <summary>
/// Real nftables (and iptables + ipset, the fallback) in the SSH server's namespace, a real OpenSSH connection from
/// another namespace: a block stops an established session's data and new connections, and expires by itself.
/// Needs root (CI runs as root).
/// </summary>
public sealed class FirewallBackendTests
{
    public static TheoryData<string> Backends() => ["nftables", "iptables"];

    private static IFirewall Firewall(NetnsSshd host, string backend = "nftables") =>
        FirewallFactory.Create(backend, new CommandRunner(["ip", "netns", "exec", host.Namespace]));

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Block_StopsAnEstablishedSession_AndNewConnections(string backend)
    {
        using var host = new NetnsSshd(twoHosts: true);
        var firewall = Firewall(host, backend);
        await firewall.EnsureReadyAsync(CancellationToken.None);
        var ssh = host.SshArguments();
        var session = host.StartOnClient(ssh[0], [.. ssh[1..], "while true; do echo tick; sleep 0.1; done"]);
        var ticks = 0;
        var reader = Task.Run(() =>
        {
            while (session.StandardOutput.ReadLine() is not null)
            {
                Interlocked.Increment(ref ticks);
            }
        });
        await WaitUntil(() => Volatile.Read(ref ticks) >= 5, "the session never printed");

        await firewall.BlockAsync(new FirewallBlock(IpAddress.Parse(NetnsSshd.ClientAddress), TimeSpan.FromMinutes(5)), CancellationToken.None);
        await Task.Delay(500);
        var atBlock = Volatile.Read(ref ticks);
        await Task.Delay(1500);

        Assert.InRange(Volatile.Read(ref ticks) - atBlock, 0, 1);
        Assert.Throws<InvalidOperationException>(() => host.Ssh("echo should-not-connect"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Block_ExpiresByItself_AndTheClientConnectsAgain(string backend)
    {
        using var host = new NetnsSshd(twoHosts: true);
        var firewall = Firewall(host, backend);
        await firewall.EnsureReadyAsync(CancellationToken.None);
        var blocked = Stopwatch.StartNew();
        await firewall.BlockAsync(new FirewallBlock(IpAddress.Parse(NetnsSshd.ClientAddress), TimeSpan.FromSeconds(6)), CancellationToken.None);

        // The client gives up after its 3 s connect timeout, well inside the 6 s block.
        Assert.Throws<InvalidOperationException>(() => host.Ssh("echo blocked"));
        Assert.True(blocked.Elapsed < TimeSpan.FromSeconds(6), "the refused attempt outlasted the block; the test proves nothing");
        await Task.Delay(TimeSpan.FromSeconds(6.5) - blocked.Elapsed);

        Assert.Equal("open again", host.Ssh("echo open again").Trim());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task PairBlock_StopsOnlyThatPair_AndUnblockLiftsIt(string backend)
    {
        using var host = new NetnsSshd(twoHosts: true);
        var firewall = Firewall(host, backend);
        await firewall.EnsureReadyAsync(CancellationToken.None);
        var pair = new FirewallBlock(IpAddress.Parse(NetnsSshd.ClientAddress), TimeSpan.FromMinutes(5), BlockScope.Pair, IpAddress.Parse("198.18.6.99"));

        await firewall.BlockAsync(pair, CancellationToken.None);
        Assert.Equal("other pair", host.Ssh("echo other pair").Trim());

        var exact = pair with { Peer = IpAddress.Parse(NetnsSshd.ServerAddress) };
        await firewall.BlockAsync(exact, CancellationToken.None);
        Assert.Throws<InvalidOperationException>(() => host.Ssh("echo blocked"));

        await firewall.UnblockAsync(exact, CancellationToken.None);
        Assert.Equal("lifted", host.Ssh("echo lifted").Trim());
    }

    [Fact]
    public async Task Nftables_EnsureReadyTwice_KeepsOneSetOfRules_AndRemoveAllDeletesTheTable()
    {
        using var host = new NetnsSshd(twoHosts: true);
        var firewall = (NftablesFirewall)Firewall(host);

        await firewall.EnsureReadyAsync(CancellationToken.None);
        await firewall.EnsureReadyAsync(CancellationToken.None);
        var listed = await firewall.ListAsync(CancellationToken.None);
        await firewall.RemoveAllAsync(CancellationToken.None);

        Assert.Equal(3, CountOf(listed, "ip saddr @addr4 drop"));
        await Assert.ThrowsAsync<FirewallException>(() => firewall.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Nftables_BlockIsListedWithItsTimeout()
    {
        using var host = new NetnsSshd(twoHosts: true);
        var firewall = (NftablesFirewall)Firewall(host);
        await firewall.EnsureReadyAsync(CancellationToken.None);

        await firewall.BlockAsync(new FirewallBlock(IpAddress.Parse("198.18.6.77"), TimeSpan.FromMinutes(10)), CancellationToken.None);

        Assert.Matches(@"198\.18\.6\.77 timeout 10m expires", await firewall.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Iptables_RemoveAll_LeavesNoChainOrSet()
    {
        using var host = new NetnsSshd(twoHosts: true);
        var runner = new CommandRunner(["ip", "netns", "exec", host.Namespace]);
        var firewall = Firewall(host, "iptables");
        await firewall.EnsureReadyAsync(CancellationToken.None);
        await firewall.EnsureReadyAsync(CancellationToken.None);
        var rules = await runner.RunAsync("iptables", ["-S"], null, CancellationToken.None);

        await firewall.RemoveAllAsync(CancellationToken.None);

        Assert.Equal(3, CountOf(rules, "-j TUNNELGUARD"));
        Assert.DoesNotContain("TUNNELGUARD", await runner.RunAsync("iptables", ["-S"], null, CancellationToken.None), StringComparison.Ordinal);
        Assert.DoesNotContain("tunnelguard", await runner.RunAsync("ipset", ["list", "-n"], null, CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingNftCommand_IsAFirewallExceptionNamingIt()
    {
        var firewall = new NftablesFirewall(new CommandRunner(["/nonexistent/bin/env"]));

        var error = await Assert.ThrowsAsync<FirewallException>(() => firewall.EnsureReadyAsync(CancellationToken.None));
        Assert.Contains("not installed", error.Message, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, string.Empty, StringComparison.Ordinal).Length) / what.Length;

    private static async Task WaitUntil(Func<bool> condition, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), failure);
            await Task.Delay(50);
        }
    }
}
