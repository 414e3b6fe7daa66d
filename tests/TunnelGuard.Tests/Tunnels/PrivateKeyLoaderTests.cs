using TunnelGuard.Lab.Tunnels;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Tunnels;

/// <summary>Encrypted key files made by ssh-keygen and puttygen: right passphrase loads, anything else is one clear line.</summary>
public sealed class PrivateKeyLoaderTests : IDisposable
{
    private const string Passphrase = "correct horse battery staple";

    private readonly TempDirectory _dir = new();

    // ssh-keygen -m PEM writes "Proc-Type: 4,ENCRYPTED / DEK-Info: AES-128-CBC"; -m PKCS8 writes PBES2 (PBKDF2 + AES).
    public static TheoryData<string, string[]> Formats => new()
    {
        { "openssh-ed25519", ["-t", "ed25519"] },
        { "pem-rsa", ["-t", "rsa", "-b", "2048", "-m", "PEM"] },
        { "pem-ecdsa", ["-t", "ecdsa", "-b", "256", "-m", "PEM"] },
        { "pkcs8-rsa", ["-t", "rsa", "-b", "2048", "-m", "PKCS8"] },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Encrypted_RightPassphrase_Loads(string name, string[] keygen)
    {
        var path = Generate(name, keygen, Passphrase);

        using var key = PrivateKeyLoader.Load(path, Passphrase);

        Assert.Equal(File.ReadAllText(path + ".pub").Split(' ')[0], KeyType(key));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Encrypted_NoPassphrase_SaysToGiveOne(string name, string[] keygen)
    {
        var path = Generate(name, keygen, Passphrase);

        var ex = Assert.Throws<TunnelUsageException>(() => PrivateKeyLoader.Load(path, null));

        Assert.Equal($"key file '{path}' is encrypted: give its passphrase with --passphrase-env VAR", ex.Message);
    }

    // A wrong passphrase decrypts to random bytes, which break a different parser each time (padding, ASN.1, check
    // bytes): many tries make sure each of those ends as the same one-line error, never as a stray exception.
    [Theory]
    [InlineData("openssh-ed25519", 3)]
    [InlineData("pem-rsa", 400)]
    [InlineData("pem-ecdsa", 400)]
    [InlineData("pkcs8-rsa", 100)]
    public void Encrypted_WrongPassphrase_IsOneLineUsageError(string name, int tries)
    {
        var keygen = Formats.Single(row => (string)row[0] == name)[1];
        var path = Generate(name, (string[])keygen, Passphrase);

        for (var i = 0; i < tries; i++)
        {
            var ex = Assert.Throws<TunnelUsageException>(() => PrivateKeyLoader.Load(path, $"wrong {i}"));
            Assert.StartsWith($"cannot decrypt key file '{path}': wrong passphrase", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
        }
    }

    [Fact]
    public void PuttyKey_Encrypted_LoadsWithPassphrase_AndRejectsAWrongOne()
    {
        if (!File.Exists("/usr/bin/puttygen"))
        {
            Assert.Fail("puttygen is missing: scripts/test.sh installs putty-tools");
        }

        var openssh = Generate("for-putty", ["-t", "ed25519"], string.Empty);
        var passphraseFile = _dir.File("passphrase");
        File.WriteAllText(passphraseFile, Passphrase + "\n");
        var ppk = _dir.File("key.ppk");
        // PUTTYDIR keeps puttygen's random seed file out of root's home.
        ProcessRunner.Run("env", "PUTTYDIR=" + _dir.File("putty"), "puttygen", openssh, "-O", "private", "-o", ppk, "--new-passphrase", passphraseFile);

        using (var key = PrivateKeyLoader.Load(ppk, Passphrase))
        {
            Assert.Equal("ssh-ed25519", KeyType(key));
        }

        var ex = Assert.Throws<TunnelUsageException>(() => PrivateKeyLoader.Load(ppk, "wrong"));
        Assert.StartsWith($"cannot decrypt key file '{ppk}': wrong passphrase", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_SaysSo()
    {
        var ex = Assert.Throws<TunnelUsageException>(() => PrivateKeyLoader.Load(_dir.File("nope"), null));
        Assert.Equal($"key file '{_dir.File("nope")}' does not exist", ex.Message);
    }

    [Fact]
    public void NotAKey_IsOneLineUsageError()
    {
        var path = _dir.File("not-a-key");
        File.WriteAllText(path, "hello\n");

        var ex = Assert.Throws<TunnelUsageException>(() => PrivateKeyLoader.Load(path, null));

        Assert.StartsWith($"cannot load key file '{path}'", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private static string KeyType(Renci.SshNet.PrivateKeyFile key) => key.Key.ToString()!;

    private string Generate(string name, string[] keygen, string passphrase)
    {
        var path = _dir.File(name);
        ProcessRunner.Run("ssh-keygen", ["-q", .. keygen, "-N", passphrase, "-C", name, "-f", path]);
        return path;
    }
}
