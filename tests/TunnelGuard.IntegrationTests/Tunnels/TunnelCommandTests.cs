using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TunnelGuard.IntegrationTests.Infrastructure;

namespace TunnelGuard.IntegrationTests.Tunnels;

/// <summary>`tunnelguard tunnel` as a user runs it: a child process against the lab sshd, stopped by signals.</summary>
[Collection(SshLabCollection.Name)]
public sealed partial class TunnelCommandTests(SshLab lab)
{
    private const string Up = "is up";
    private static TimeSpan StartTimeout => TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task TrustAnyHostKey_WarnsOnStderr_ForwardsBytes_AndExitsZeroOnSignal(string signal)
    {
        await using var service = new ExchangeServer(SshLab.RootAddress, 1024 * 1024);
        using var cli = CliProcess.Start("tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.UserKeyFile,
            "--insecure-trust-any-host-key", "-L", $"0:{service.EndPoint}");
        await cli.WaitForOutputAsync(Up, StartTimeout);
        var port = BoundPort(await cli.WaitForOutputAsync("forwarding -L", StartTimeout));

        await service.AssertExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, port), 1024 * 1024);

        cli.Signal(signal);
        var exitCode = await cli.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(0, exitCode);
        Assert.Contains("WARNING: --insecure-trust-any-host-key", cli.StandardError, StringComparison.Ordinal);
        Assert.Contains("tunnel closed", cli.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnownHosts_PortZero_PrintsEveryBoundPort()
    {
        using var cli = CliProcess.Start("tunnel", $"{SshLab.ServerAddress}", "-l", lab.User, "-p", "22", "-i", lab.UserKeyFile,
            "--known-hosts", lab.KnownHostsPath, "-L", "0:198.18.2.1:9", "-L", "127.0.0.1:0:198.18.2.1:9", "-D", "0");
        await cli.WaitForOutputAsync(Up, StartTimeout);

        var lines = cli.StandardOutput.Split('\n').Where(l => l.StartsWith("forwarding ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.NotEqual(0, BoundPort(line)));
        Assert.DoesNotContain("WARNING", cli.StandardError, StringComparison.Ordinal);
        cli.Signal("TERM");
        Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task ServerDropsConnection_ExitsOne_SayingConnectionLost()
    {
        using var cli = CliProcess.Start("tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.UserKeyFile,
            "--known-hosts", lab.KnownHostsPath, "--keepalive", "1", "-L", "0:198.18.2.1:9");
        await cli.WaitForOutputAsync(Up, StartTimeout);

        Assert.NotEqual(0, lab.DropClientConnections());
        var exitCode = await cli.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, exitCode);
        var error = Assert.Single(NonEmptyLines(cli.StandardError), line => !line.Contains(" warn ", StringComparison.Ordinal));
        Assert.StartsWith($"tunnelguard tunnel: connection to {lab.User}@{SshLab.ServerAddress}:22 lost", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostKeyMismatch_ExitsOne_WithOneLineMessage()
    {
        var path = lab.WriteKnownHosts("known_hosts_cli_changed", SshLab.KnownHostsLine(lab.OtherHostPublicKeyFile));
        using var cli = CliProcess.Start("tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.UserKeyFile,
            "--known-hosts", path, "-L", "0:198.18.2.1:9");

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(1, exitCode);
        var error = Assert.Single(NonEmptyLines(cli.StandardError));
        Assert.StartsWith("tunnelguard tunnel: host key verification failed: host key mismatch", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Up, cli.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnauthorizedKey_ExitsOne_WithOneLineMessage()
    {
        using var cli = CliProcess.Start("tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.OtherHostPublicKeyFile[..^".pub".Length],
            "--known-hosts", lab.KnownHostsPath, "-L", "0:198.18.2.1:9");

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(1, exitCode);
        var error = Assert.Single(NonEmptyLines(cli.StandardError));
        Assert.StartsWith("tunnelguard tunnel: authentication failed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutHostKeyVerificationOption_RefusesWithExitTwo()
    {
        using var cli = CliProcess.Start("tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.UserKeyFile, "-L", "0:198.18.2.1:9");

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        var error = Assert.Single(NonEmptyLines(cli.StandardError));
        Assert.Contains("refusing to connect without host key verification", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--password-env", "TGL_TEST_SURELY_UNSET", "--password-env TGL_TEST_SURELY_UNSET: the environment variable is not set or empty")]
    [InlineData("-i", "/nonexistent/key", "key file '/nonexistent/key' does not exist")]
    [InlineData("--host-key-sha256", "SHA256:tooshort", "is not 32 bytes of base64")]
    [InlineData("--keepalive", "-1", "--keepalive -1")]
    public async Task BadCredentialOrOption_ExitsTwo_WithOneLineMessage(string option, string value, string message)
    {
        var args = new List<string> { "tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-L", "0:198.18.2.1:9", option, value };
        if (option != "-i")
        {
            args.AddRange(["-i", lab.UserKeyFile]);
        }

        if (option != "--host-key-sha256")
        {
            args.AddRange(["--known-hosts", lab.KnownHostsPath]);
        }

        using var cli = CliProcess.Start([.. args]);

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        var error = Assert.Single(NonEmptyLines(cli.StandardError));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-L", "80:db")]
    [InlineData("-L", "80:db:0")]
    [InlineData("-R", "x:db:80")]
    [InlineData("-D", "a:b:c")]
    public async Task BadForwardSpec_ExitsTwo_NamingTheSpec(string flag, string spec)
    {
        using var cli = CliProcess.Start("tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.UserKeyFile,
            "--known-hosts", lab.KnownHostsPath, flag, spec);

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        var error = Assert.Single(NonEmptyLines(cli.StandardError));
        Assert.Contains($"invalid {flag} spec '{spec}'", error, StringComparison.Ordinal);
    }

    internal static int BoundPort(string forwardingLine)
    {
        var match = BoundPortPattern().Match(forwardingLine);
        Assert.True(match.Success, forwardingLine);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    internal static string[] NonEmptyLines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // "forwarding -L 127.0.0.1:40123 -> ..." or "forwarding -D 127.0.0.1:40123 SOCKS...".
    [GeneratedRegex(@"^forwarding -[LD] [^ ]*:(\d+) ")]
    private static partial Regex BoundPortPattern();
}
