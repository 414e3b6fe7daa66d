using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.IntegrationTests.Tunnels;

/// <summary>OpenSSH -L/-R/-D syntax parsing; needs no root.</summary>
public sealed class ForwardSpecTests
{
    [Theory]
    [InlineData("8080:db:5432", null, 8080, "db", 5432)]
    [InlineData("127.0.0.1:8080:db:5432", "127.0.0.1", 8080, "db", 5432)]
    [InlineData(":8080:db:5432", "*", 8080, "db", 5432)]
    [InlineData("*:8080:db:5432", "*", 8080, "db", 5432)]
    [InlineData("[::1]:8080:[2001:db8::1]:443", "::1", 8080, "2001:db8::1", 443)]
    [InlineData("0:10.0.0.1:22", null, 0, "10.0.0.1", 22)]
    public void LocalSpec_Valid_IsParsed(string text, string? bind, int port, string host, int hostPort)
    {
        var spec = ForwardSpec.Parse(ForwardKind.Local, text);

        Assert.Equal(new ForwardSpec(ForwardKind.Local, bind, port, host, hostPort) { Text = text }, spec);
        Assert.Equal($"-L {text}", spec.ToString());
    }

    [Theory]
    [InlineData("1080", null, 1080)]
    [InlineData("localhost:1080", "localhost", 1080)]
    [InlineData("[::1]:0", "::1", 0)]
    [InlineData("*:1080", "*", 1080)]
    public void DynamicSpec_Valid_IsParsed(string text, string? bind, int port)
    {
        var spec = ForwardSpec.Parse(ForwardKind.Dynamic, text);

        Assert.Equal(new ForwardSpec(ForwardKind.Dynamic, bind, port, null, 0) { Text = text }, spec);
    }

    [Theory]
    [InlineData(ForwardKind.Local, "80:db", "expected [bind_address:]port:host:hostport")]
    [InlineData(ForwardKind.Local, "a:b:c:d:e", "expected [bind_address:]port:host:hostport")]
    [InlineData(ForwardKind.Local, "x:db:80", "port 'x' is not a number")]
    [InlineData(ForwardKind.Local, "80:db:0", "hostport 0 is out of range")]
    [InlineData(ForwardKind.Local, "70000:db:80", "port 70000 is out of range")]
    [InlineData(ForwardKind.Local, "80::80", "the target host is empty")]
    [InlineData(ForwardKind.Local, "80:d b:80", "is not a valid host")]
    [InlineData(ForwardKind.Local, "[::1:80:db:80", "unclosed '['")]
    [InlineData(ForwardKind.Local, "-1:db:80", "is not a number")]
    [InlineData(ForwardKind.Remote, "8080", "remote dynamic forwarding is not supported")]
    [InlineData(ForwardKind.Dynamic, "a:b:c", "expected [bind_address:]port")]
    [InlineData(ForwardKind.Dynamic, "", "port '' is not a number")]
    public void Spec_Malformed_IsRejectedNamingTheSpec(ForwardKind kind, string text, string reason)
    {
        var error = Assert.Throws<TunnelUsageException>(() => ForwardSpec.Parse(kind, text));

        Assert.StartsWith($"invalid {ForwardSpec.FlagOf(kind)} spec '{text}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
