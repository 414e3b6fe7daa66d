namespace TunnelGuard.Lab.Lab;

/// <summary>A cipher (and MAC, for non-AEAD ciphers) a scenario asks its client for; <see cref="Default"/> lets the client choose.</summary>
public sealed record CipherChoice(string Tag, string? Cipher, string? Mac)
{
    public static CipherChoice Default { get; } = new("default", null, null);

    public static CipherChoice Chacha20 { get; } = new("chacha20", "chacha20-poly1305@openssh.com", null);

    public static CipherChoice Aes128Gcm { get; } = new("aes128gcm", "aes128-gcm@openssh.com", null);

    public static CipherChoice Aes128CtrEtm { get; } = new("aes128ctr-etm", "aes128-ctr", "hmac-sha2-256-etm@openssh.com");

    public static CipherChoice Aes128CtrHmac { get; } = new("aes128ctr-hmac", "aes128-ctr", "hmac-sha2-256");

    /// <summary>
    /// What each client can be asked for: OpenSSH all four; Dropbear has no -etm MACs; SSH.NET's `tunnel` has no cipher
    /// option; plink orders cipher families, not names (its AES family starts with aes256-ctr, its default, with
    /// hmac-sha2-256), so only chacha20 can be asked for by name.
    /// </summary>
    public static IReadOnlyList<CipherChoice> For(ClientKind client) => client switch
    {
        ClientKind.OpenSsh => [Chacha20, Aes128Gcm, Aes128CtrEtm, Aes128CtrHmac],
        ClientKind.Dropbear => [Chacha20, Aes128CtrHmac],
        ClientKind.Plink => [Default, Chacha20],
        _ => [Default],
    };

    /// <summary>
    /// The cipher a scenario uses for a seed when none is forced: rotates with the seed, starting from a hash of the
    /// scenario's name, so adding or reordering scenarios never changes what another one records.
    /// </summary>
    public static CipherChoice For(string scenario, ClientKind client, int seed)
    {
        var choices = For(client);
        var hash = 2166136261u;
        foreach (var c in scenario)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return choices[(int)((hash + (uint)seed) % (uint)choices.Count)];
    }

    public static CipherChoice? Parse(string tag) =>
        tag switch
        {
            "chacha20" => Chacha20,
            "aes128gcm" => Aes128Gcm,
            "aes128ctr-etm" => Aes128CtrEtm,
            "aes128ctr-hmac" => Aes128CtrHmac,
            "default" => Default,
            _ => null,
        };
}
