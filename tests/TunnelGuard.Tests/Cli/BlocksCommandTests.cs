using System.Text.Json;
using TunnelGuard.Enforcement;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Cli;

/// <summary>
/// `tunnelguard blocks` over a real store. These use the dry-run backend so that they need no root; the nftables path
/// of the same commands is covered in BlocksNftablesTests.
/// </summary>
public sealed class BlocksCommandTests
{
    [Fact]
    public void Add_List_Remove_RoundTrip_IsAudited()
    {
        using var dir = new TempDirectory();
        var db = dir.File("s.db");

        var add = CliRun.Of("blocks", "add", "198.18.7.7", "--peer", "198.18.7.8", "--duration", "2h", "--reason", "ticket 42", "--db", db, "--firewall", "dry-run");
        var listed = CliRun.Of("blocks", "list", "--db", db, "--format", "jsonl");
        var remove = CliRun.Of("blocks", "remove", "198.18.7.8", "--peer", "198.18.7.7", "--db", db, "--firewall", "dry-run");
        var after = CliRun.Of("blocks", "list", "--db", db, "--format", "jsonl");
        var audit = CliRun.Of("blocks", "audit", "--db", db, "--format", "jsonl");

        Assert.Equal(0, add.ExitCode);
        Assert.Contains("blocked 198.18.7.7 <-> 198.18.7.8 for 2h", add.Out, StringComparison.Ordinal);
        using var block = JsonDocument.Parse(Assert.Single(listed.OutLines));
        Assert.Equal("198.18.7.7", block.RootElement.GetProperty("address").GetString());
        Assert.Equal("198.18.7.8", block.RootElement.GetProperty("peer").GetString());
        Assert.Equal("ticket 42", block.RootElement.GetProperty("reason").GetString());
        Assert.True(block.RootElement.GetProperty("active").GetBoolean());
        Assert.Equal(0, remove.ExitCode);
        Assert.Empty(after.OutLines);
        Assert.Equal(["block", "unblock"], audit.OutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("action").GetString()));
    }

    [Fact]
    public void Add_RefusesLoopbackAndThisHostsAddresses()
    {
        using var dir = new TempDirectory();
        var own = BlockGuard.HostAddresses().First(a => !System.Net.IPAddress.IsLoopback(a.ToIPAddress()) && a.IsV4);

        var loopback = CliRun.Of("blocks", "add", "127.0.0.1", "--db", dir.File("s.db"), "--firewall", "dry-run");
        var self = CliRun.Of("blocks", "add", own.ToString(), "--db", dir.File("s.db"), "--firewall", "dry-run");

        Assert.Equal(3, loopback.ExitCode);
        Assert.Contains("refusing to block 127.0.0.1", loopback.Error, StringComparison.Ordinal);
        Assert.Equal(3, self.ExitCode);
        Assert.Contains("this host's own address", self.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("add", "not-an-ip", "'not-an-ip' is not an IP address")]
    [InlineData("add", "198.18.7.7 --peer 2001:db8::1", "is not an IP address of the same family")]
    [InlineData("add", "198.18.7.7 --duration forever", "--duration 'forever': expected a duration")]
    public void BadArguments_AreNamed(string verb, string args, string expected)
    {
        using var dir = new TempDirectory();

        var run = CliRun.Of(["blocks", verb, .. args.Split(' '), "--db", dir.File("s.db"), "--firewall", "dry-run"]);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void List_OnAMissingStore_SaysSo()
    {
        var run = CliRun.Of("blocks", "list", "--db", "/nonexistent/tg.db");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("/nonexistent/tg.db: no such store", run.Error, StringComparison.Ordinal);
    }
}
