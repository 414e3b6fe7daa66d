using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Reads the parts of an SSH public key blob (RFC 4253 §6.6) that host key checks need.</summary>
public static class SshKeyBlob
{
    /// <summary>The key type string at the start of the blob, or null when the blob is too short to hold one.</summary>
    public static string? KeyTypeOf(ReadOnlySpan<byte> blob)
    {
        // RFC 4251 §5: a string is a uint32 length followed by that many bytes.
        if (blob.Length < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (length == 0 || length > 64 || length > (uint)(blob.Length - 4))
        {
            return null;
        }

        return Encoding.ASCII.GetString(blob.Slice(4, (int)length));
    }

    /// <summary>The OpenSSH SHA256 fingerprint without its prefix: unpadded base64 of SHA-256 over the blob.</summary>
    public static string Sha256Fingerprint(ReadOnlySpan<byte> blob) =>
        Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
}
