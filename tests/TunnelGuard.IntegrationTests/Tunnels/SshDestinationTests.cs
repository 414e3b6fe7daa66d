using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.IntegrationTests.Tunnels;

/// <summary><c>[user@]host[:port]</c> parsing; needs no root.</summary>
public sealed class SshDestinationTests
{
    [Theory]
    [InlineData("host", null, "host", 22)]
    [InlineData("alice@host", "alice", "host", 22)]
    [InlineData("alice@host:2222", "alice", "host", 2222)]
    [InlineData("a@b@host:2222", "a@b", "host", 2222)]
    [InlineData("[2001:db8::1]:2222", null, "2001:db8::1", 2222)]
    [InlineData("bob@[::1]", "bob", "::1", 22)]
    [InlineData("2001:db8::1", null, "2001:db8::1", 22)]
    public void Destination_Valid_IsParsed(string text, string? user, string host, int port)
    {
        Assert.Equal(new SshDestination(user, host, port), SshDestination.Parse(text));
    }

    [Theory]
    [InlineData("@host", "the user name is empty")]
    [InlineData("alice@", "the host is empty")]
    [InlineData("host:0", "port '0'")]
    [InlineData("host:ssh", "port 'ssh'")]
    [InlineData("[::1", "unclosed '['")]
    [InlineData("a/b", "is not a valid host")]
    public void Destination_Malformed_IsRejectedNamingIt(string text, string reason)
    {
        var error = Assert.Throws<TunnelUsageException>(() => SshDestination.Parse(text));

        Assert.StartsWith($"invalid destination '{text}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_LoginAndPortOptions_OverrideTheDestinationText()
    {
        var destination = SshDestination.Parse("alice@host:2222").With("bob", 22);

        Assert.Equal(new SshDestination("bob", "host", 22), destination);
        Assert.Equal("bob@host:22", destination.ToString());
    }
}
