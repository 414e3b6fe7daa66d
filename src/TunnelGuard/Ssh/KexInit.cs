namespace TunnelGuard.Ssh;

/// <summary>The algorithm name-lists of an SSH_MSG_KEXINIT (RFC 4253 §7.1), each as the comma-separated wire string.</summary>
public sealed record KexInit(
    string KexAlgorithms,
    string HostKeyAlgorithms,
    string EncryptionClientToServer,
    string EncryptionServerToClient,
    string MacClientToServer,
    string MacServerToClient,
    string CompressionClientToServer,
    string CompressionServerToClient,
    bool FirstKexPacketFollows)
{
    /// <summary>The HASSH input of a client's KEXINIT: <c>kex;enc c2s;mac c2s;cmp c2s</c> (salesforce/hassh).</summary>
    public string ClientHasshString => $"{KexAlgorithms};{EncryptionClientToServer};{MacClientToServer};{CompressionClientToServer}";

    /// <summary>The HASSH-server input of a server's KEXINIT: <c>kex;enc s2c;mac s2c;cmp s2c</c> (salesforce/hassh).</summary>
    public string ServerHasshString => $"{KexAlgorithms};{EncryptionServerToClient};{MacServerToClient};{CompressionServerToClient}";
}
