namespace TunnelGuard.Ssh;

/// <summary>SSH message numbers the handshake parser acts on (RFC 4250 §4.1).</summary>
internal static class SshMessage
{
    public const byte Disconnect = 1;
    public const byte KexInit = 20;
    public const byte NewKeys = 21;

    // 30..49 are key-exchange specific. Across DH, ECDH, hybrid PQ and DH-GEX the client sends 30, 32 and 34
    // (KEXDH_INIT / KEX_ECDH_INIT / GEX_REQUEST_OLD, GEX_INIT, GEX_REQUEST) and the server 31 and 33
    // (KEXDH_REPLY / KEX_ECDH_REPLY / GEX_GROUP, GEX_REPLY): RFC 4253 §8, RFC 5656 §7.1, RFC 4419 §5.
    public static int RoleOf(byte message) => message switch
    {
        30 or 32 or 34 => SshRoleHint.Client,
        31 or 33 => SshRoleHint.Server,
        _ => SshRoleHint.None,
    };
}
