using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>
/// Secrets: a local user who logs in with a password, and user keys encrypted with a passphrase. Port 22 checks the
/// password itself (no PAM: the "password" method); port 2222 is Debian's default way, PAM behind
/// keyboard-interactive with the "password" method off.
/// </summary>
public sealed partial class SshLab
{
    public const int PamSshPort = 2222;

    /// <summary>The passphrase of every <see cref="EncryptedKeyFile"/>; a space in it catches quoting mistakes.</summary>
    public const string KeyPassphrase = "lab passphrase 42";

    private TemporaryUser? _passwordUser;

    /// <summary>The password user: password logins on <see cref="SshPort"/>, keyboard-interactive (PAM) on <see cref="PamSshPort"/>.</summary>
    public TemporaryUser PasswordUser => _passwordUser ?? throw new InvalidOperationException("the lab is not initialized");

    /// <summary>
    /// A user key for root encrypted with <see cref="KeyPassphrase"/>: <c>openssh</c> (ed25519, OpenSSH format, bcrypt
    /// KDF), <c>pem</c> (RSA, PKCS#1 PEM with AES-128-CBC) or <c>pkcs8</c> (RSA, PKCS#8 with PBES2), as ssh-keygen writes them.
    /// </summary>
    public string EncryptedKeyFile(string format) => Path.Combine(Directory, $"id_{format}_encrypted");

    private void GenerateEncryptedKeys()
    {
        foreach (var (format, keygen) in new[]
        {
            ("openssh", new[] { "-t", "ed25519" }),
            ("pem", ["-t", "rsa", "-b", "2048", "-m", "PEM"]),
            ("pkcs8", ["-t", "rsa", "-b", "2048", "-m", "PKCS8"]),
        })
        {
            var path = EncryptedKeyFile(format);
            HostCommand.Run("ssh-keygen", ["-q", .. keygen, "-N", KeyPassphrase, "-C", $"tgl-{format}", "-f", path]);
            File.AppendAllText(Path.Combine(Directory, "authorized_keys"), File.ReadAllText(path + ".pub"));
        }
    }

    // known_hosts names a server on another port than 22 as [host]:port.
    private void AddPamServerToKnownHosts()
    {
        var lines = new List<string>();
        foreach (var type in new[] { "ed25519", "ecdsa", "rsa" })
        {
            var fields = File.ReadAllText(HostPublicKeyFile(type)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            lines.Add($"[{ServerAddress}]:{PamSshPort} {fields[0]} {fields[1]}");
        }

        File.AppendAllLines(KnownHostsPath, lines);
    }

    // Only the password user may log in here, and only by keyboard-interactive: PAM asks "Password:" with echo off.
    private string WritePamConfig()
    {
        var config = Path.Combine(Directory, "sshd_config_pam");
        File.WriteAllText(config, ListenerConfig(PamSshPort) + $"""
            UsePAM yes
            PubkeyAuthentication no
            PasswordAuthentication no
            KbdInteractiveAuthentication yes
            AllowUsers {PasswordUser.Name}
            AllowTcpForwarding yes
            LogLevel VERBOSE

            """);
        return config;
    }
}
