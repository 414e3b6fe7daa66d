using System.Buffers.Binary;
using System.Text;

namespace TunnelGuard.Tests.Support;

/// <summary>Builds cleartext SSH wire bytes (RFC 4253 §6, §7.1) for parser tests.</summary>
internal static class SshBytes
{
    public static readonly string[] OpenSshClientLists =
    [
        "curve25519-sha256,ext-info-c", "ssh-ed25519,rsa-sha2-512",
        "chacha20-poly1305@openssh.com,aes128-ctr", "chacha20-poly1305@openssh.com,aes128-ctr",
        "umac-64-etm@openssh.com,hmac-sha2-256", "umac-64-etm@openssh.com,hmac-sha2-256",
        "none,zlib@openssh.com", "none,zlib@openssh.com", string.Empty, string.Empty,
    ];

    public static byte[] Packet(params byte[] payload)
    {
        // Pad so that the packet is a multiple of 8 with at least 4 bytes of padding.
        var padding = 8 - ((5 + payload.Length) % 8);
        if (padding < 4)
        {
            padding += 8;
        }

        var packet = new byte[4 + 1 + payload.Length + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(1 + payload.Length + padding));
        packet[4] = (byte)padding;
        payload.CopyTo(packet, 5);
        return packet;
    }

    public static byte[] KexInitPayload(string[] lists, uint? lyingLengthForList = null)
    {
        var body = new List<byte> { 20 };
        body.AddRange(new byte[16]);
        for (var i = 0; i < lists.Length; i++)
        {
            var bytes = Encoding.ASCII.GetBytes(lists[i]);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, i == 0 && lyingLengthForList is { } lie ? lie : (uint)bytes.Length);
            body.AddRange(length);
            body.AddRange(bytes);
        }

        body.Add(0);
        body.AddRange(new byte[4]);
        return [.. body];
    }

    public static byte[] KexInit(string[] lists) => Packet(KexInitPayload(lists));

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
}
