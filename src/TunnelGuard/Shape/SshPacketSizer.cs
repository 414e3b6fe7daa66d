namespace TunnelGuard.Shape;

/// <summary>
/// How many bytes an SSH binary packet with a given payload takes on the wire under the negotiated cipher and MAC
/// (RFC 4253 §6: uint32 length, padding length, payload, 4–255 bytes of padding to the cipher block, then the MAC).
/// With it a one-byte keystroke's size follows from the handshake instead of being guessed: 36 B for
/// chacha20-poly1305 and AES-GCM, 52 B for aes-ctr + hmac-sha2-256-etm, 64 B for aes-ctr + hmac-sha2-256.
/// </summary>
public sealed class SshPacketSizer
{
    // SSH_MSG_CHANNEL_DATA: byte type, uint32 recipient channel, string data (RFC 4254 §5.2).
    private const int ChannelDataOverhead = 1 + 4 + 4;

    // Sizers made per thread, by cipher and MAC (a network uses a handful of pairs); emptied when full, since a pair
    // not (or no longer) kept is still sized correctly, only made again. A connection asked twice (judging, reporting).
    private const int MaxKept = 256;

    [ThreadStatic]
    private static Dictionary<(string Cipher, string? Mac), SshPacketSizer?>? _kept;

    private readonly int _block;
    private readonly int _tag;
    private readonly bool _lengthInClear;

    private SshPacketSizer(string cipher, string? mac, int block, int tag, bool lengthInClear)
    {
        Cipher = cipher;
        Mac = mac;
        _block = block;
        _tag = tag;
        _lengthInClear = lengthInClear;
    }

    public string Cipher { get; }

    public string? Mac { get; }

    /// <summary>Wire size of the packet that carries one typed character.</summary>
    public int Keystroke => ForPayload(ChannelDataOverhead + 1);

    /// <summary>Wire size of a keystroke of an SSH session nested inside this one (its packet sent as channel data).</summary>
    public int NestedKeystroke(int innerKeystroke) => ForPayload(ChannelDataOverhead + innerKeystroke);

    /// <summary>Sizer for a negotiated cipher and MAC; null for names it does not know. Immutable, so shared.</summary>
    public static SshPacketSizer? For(string? cipher, string? mac)
    {
        if (cipher is null)
        {
            return null;
        }

        var kept = _kept ??= [];
        if (!kept.TryGetValue((cipher, mac), out var sizer))
        {
            if (kept.Count >= MaxKept)
            {
                kept.Clear();
            }

            sizer = Create(cipher, mac);
            kept[(cipher, mac)] = sizer;
        }

        return sizer;
    }

    private static SshPacketSizer? Create(string cipher, string? mac)
    {
        var etm = mac?.Contains("-etm@", StringComparison.Ordinal) == true;
        var macLength = MacLength(mac);
        return cipher switch
        {
            // PROTOCOL.chacha20poly1305: the length is encrypted with its own key, 8-byte blocks, 16-byte tag.
            "chacha20-poly1305@openssh.com" => new SshPacketSizer(cipher, mac, 8, 16, lengthInClear: true),

            // RFC 5647: the length is additional authenticated data, 16-byte blocks and tag.
            "aes128-gcm@openssh.com" or "aes256-gcm@openssh.com" => new SshPacketSizer(cipher, mac, 16, 16, lengthInClear: true),
            _ when macLength is null => null,
            "aes128-ctr" or "aes192-ctr" or "aes256-ctr" or "aes128-cbc" or "aes192-cbc" or "aes256-cbc"
                or "rijndael-cbc@lysator.liu.se" => new SshPacketSizer(cipher, mac, 16, macLength.Value, lengthInClear: etm),
            "3des-cbc" or "3des-ctr" or "blowfish-cbc" or "none" => new SshPacketSizer(cipher, mac, 8, macLength.Value, lengthInClear: etm),
            _ => null,
        };
    }

    /// <summary>Wire size of a packet whose payload is <paramref name="payload"/> bytes.</summary>
    public int ForPayload(int payload)
    {
        // The padded part is a multiple of the block; with the length in clear (AEAD, -etm) it excludes the length.
        var fixedPart = _lengthInClear ? 1 + payload : 4 + 1 + payload;
        var padded = fixedPart + 4;
        padded += (_block - (padded % _block)) % _block;
        return (_lengthInClear ? 4 + padded : padded) + _tag;
    }

    private static int? MacLength(string? mac) => mac switch
    {
        "hmac-sha2-256" or "hmac-sha2-256-etm@openssh.com" => 32,
        "hmac-sha2-512" or "hmac-sha2-512-etm@openssh.com" => 64,
        "hmac-sha1" or "hmac-sha1-etm@openssh.com" => 20,
        "hmac-sha1-96" or "hmac-sha1-96-etm@openssh.com" or "hmac-md5-96" => 12,
        "hmac-md5" or "hmac-md5-etm@openssh.com" => 16,
        "umac-64@openssh.com" or "umac-64-etm@openssh.com" => 8,
        "umac-128@openssh.com" or "umac-128-etm@openssh.com" => 16,
        "none" => 0,
        _ => null,
    };
}
