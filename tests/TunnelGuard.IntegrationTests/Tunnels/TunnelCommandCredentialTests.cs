using System.Net;
using TunnelGuard.IntegrationTests.Infrastructure;

namespace TunnelGuard.IntegrationTests.Tunnels;

/// <summary>
/// `tunnelguard tunnel` with secrets from the environment against the lab's real sshd: a password (sshd's own
/// "password" method, and PAM behind keyboard-interactive) and encrypted key files (--passphrase-env).
/// </summary>
[Collection(SshLabCollection.Name)]
public sealed class TunnelCommandCredentialTests(SshLab lab)
{
    private const string SecretVariable = "TGL_TEST_SECRET";
    private static TimeSpan StartTimeout => TimeSpan.FromSeconds(30);

    public static TheoryData<int, string> PasswordServers => new()
    {
        { SshLab.SshPort, "password" },
        { SshLab.PamSshPort, "keyboard-interactive/pam" },
    };

    public static TheoryData<string> KeyFormats => ["openssh", "pem", "pkcs8"];

    [Theory]
    [MemberData(nameof(PasswordServers))]
    public async Task Password_Right_ForwardsBytesThroughL_AndTheServerLogsTheMethod(int port, string method)
    {
        await using var service = new ExchangeServer(SshLab.RootAddress, 256 * 1024);
        using var cli = Password(lab.PasswordUser.Password, port, "-L", $"0:{service.EndPoint}");
        await cli.WaitForOutputAsync("is up", StartTimeout);
        var entry = TunnelCommandTests.BoundPort(await cli.WaitForOutputAsync("forwarding -L", StartTimeout));

        await service.AssertExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, entry), 256 * 1024);

        Assert.Contains($"Accepted {method} for {lab.PasswordUser.Name} from {SshLab.RootAddress}", lab.SshdLog, StringComparison.Ordinal);
        cli.Signal("TERM");
        Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Empty(TunnelCommandTests.NonEmptyLines(cli.StandardError));
    }

    [Theory]
    [MemberData(nameof(PasswordServers))]
    public async Task Password_Wrong_ExitsOne_WithOneLineMessage(int port, string method)
    {
        using var cli = Password(lab.PasswordUser.Password + "x", port, "-L", "0:198.18.2.1:9");

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(1, exitCode);
        var error = Assert.Single(TunnelCommandTests.NonEmptyLines(cli.StandardError));
        Assert.Equal($"tunnelguard tunnel: authentication failed for {lab.PasswordUser.Name}@{SshLab.ServerAddress}:{port}: Permission denied ({method.Split('/')[0]}).", error);
        Assert.DoesNotContain("is up", cli.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KeyFormats))]
    public async Task EncryptedKey_RightPassphrase_ForwardsBytesThroughL(string format)
    {
        await using var service = new ExchangeServer(SshLab.RootAddress, 256 * 1024);
        using var cli = WithKey(format, SshLab.KeyPassphrase, "-L", $"0:{service.EndPoint}");
        await cli.WaitForOutputAsync("is up", StartTimeout);
        var entry = TunnelCommandTests.BoundPort(await cli.WaitForOutputAsync("forwarding -L", StartTimeout));

        await service.AssertExchangeThroughAsync(new IPEndPoint(IPAddress.Loopback, entry), 256 * 1024);

        cli.Signal("TERM");
        Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Theory]
    [MemberData(nameof(KeyFormats))]
    public async Task EncryptedKey_WrongPassphrase_ExitsTwo_WithOneLineMessage(string format)
    {
        using var cli = WithKey(format, SshLab.KeyPassphrase + "x", "-L", "0:198.18.2.1:9");

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        var error = Assert.Single(TunnelCommandTests.NonEmptyLines(cli.StandardError));
        Assert.StartsWith($"tunnelguard tunnel: cannot decrypt key file '{lab.EncryptedKeyFile(format)}': wrong passphrase", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KeyFormats))]
    public async Task EncryptedKey_NoPassphrase_ExitsTwo_SayingSo(string format)
    {
        using var cli = CliProcess.Start("tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.EncryptedKeyFile(format),
            "--known-hosts", lab.KnownHostsPath, "-L", "0:198.18.2.1:9");

        var exitCode = await cli.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        var error = Assert.Single(TunnelCommandTests.NonEmptyLines(cli.StandardError));
        Assert.Equal($"tunnelguard tunnel: key file '{lab.EncryptedKeyFile(format)}' is encrypted: give its passphrase with --passphrase-env VAR", error);
    }

    [Fact]
    public void TemporaryUser_Dispose_RemovesTheUserAndItsHome()
    {
        string name;
        using (var user = TemporaryUser.Create())
        {
            name = user.Name;
            Assert.True(TemporaryUser.Exists(name));
            Assert.True(Directory.Exists($"/home/{name}"));
        }

        Assert.False(TemporaryUser.Exists(name));
        Assert.False(Directory.Exists($"/home/{name}"));
    }

    private CliProcess Password(string password, int port, params string[] forwards) => CliProcess.StartWith(
        new Dictionary<string, string> { [SecretVariable] = password },
        ["tunnel", $"{lab.PasswordUser.Name}@{SshLab.ServerAddress}", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--password-env", SecretVariable, "--known-hosts", lab.KnownHostsPath, .. forwards]);

    private CliProcess WithKey(string format, string passphrase, params string[] forwards) => CliProcess.StartWith(
        new Dictionary<string, string> { [SecretVariable] = passphrase },
        ["tunnel", $"{lab.User}@{SshLab.ServerAddress}", "-i", lab.EncryptedKeyFile(format), "--passphrase-env", SecretVariable,
            "--known-hosts", lab.KnownHostsPath, .. forwards]);
}
