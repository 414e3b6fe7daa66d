namespace TunnelGuard.Ssh;

/// <summary>The algorithms both sides agreed on (RFC 4253 §7.1); null where the two lists share no name.</summary>
public sealed record SshAlgorithms(
    string? Kex,
    string? HostKey,
    string? CipherClientToServer,
    string? CipherServerToClient,
    string? MacClientToServer,
    string? MacServerToClient,
    string? CompressionClientToServer,
    string? CompressionServerToClient)
{
    /// <summary>Reported as the MAC of an AEAD cipher, whose tag replaces the negotiated MAC.</summary>
    public const string ImplicitMac = "implicit";

    /// <summary>
    /// Negotiates as RFC 4253 §7.1 says: the first algorithm on the client's list that the server also lists. The
    /// result for a pair of KEXINITs is kept (per thread), so equal handshakes share one instance.
    /// </summary>
    public static SshAlgorithms Negotiate(KexInit client, KexInit server) => KexInitCache.Negotiated(client, server);

    internal static SshAlgorithms Compute(KexInit client, KexInit server)
    {
        var c2s = FirstCommon(client.EncryptionClientToServer, server.EncryptionClientToServer);
        var s2c = FirstCommon(client.EncryptionServerToClient, server.EncryptionServerToClient);
        return new SshAlgorithms(
            FirstCommon(client.KexAlgorithms, server.KexAlgorithms),
            FirstCommon(client.HostKeyAlgorithms, server.HostKeyAlgorithms),
            c2s,
            s2c,
            IsAead(c2s) ? ImplicitMac : FirstCommon(client.MacClientToServer, server.MacClientToServer),
            IsAead(s2c) ? ImplicitMac : FirstCommon(client.MacServerToClient, server.MacServerToClient),
            FirstCommon(client.CompressionClientToServer, server.CompressionClientToServer),
            FirstCommon(client.CompressionServerToClient, server.CompressionServerToClient));
    }

    /// <summary>Ciphers that authenticate by themselves, so the negotiated MAC goes unused (RFC 5647 §5.1; PROTOCOL.chacha20poly1305).</summary>
    public static bool IsAead(string? cipher) => cipher is "chacha20-poly1305@openssh.com" or "aes128-gcm@openssh.com"
        or "aes256-gcm@openssh.com" or "AEAD_AES_128_GCM" or "AEAD_AES_256_GCM";

    private static string? FirstCommon(string clientList, string serverList)
    {
        foreach (var range in clientList.AsSpan().Split(','))
        {
            var name = clientList.AsSpan(range);
            if (!name.IsEmpty && Contains(serverList, name))
            {
                return name.ToString();
            }
        }

        return null;
    }

    private static bool Contains(string list, ReadOnlySpan<char> name)
    {
        foreach (var range in list.AsSpan().Split(','))
        {
            if (list.AsSpan(range).SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }
}
