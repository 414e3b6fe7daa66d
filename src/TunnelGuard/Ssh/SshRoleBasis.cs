namespace TunnelGuard.Ssh;

/// <summary>What decided which side is the SSH client, strongest first.</summary>
public enum SshRoleBasis
{
    /// <summary>Key-exchange messages: the client sends the DH/ECDH init, the server the reply.</summary>
    KeyExchange,

    /// <summary>Only a server may send lines before its identification.</summary>
    PreBanner,

    /// <summary>The side that sent the TCP SYN.</summary>
    TcpInitiator,

    /// <summary>The other side listens on port 22, or nothing better was known.</summary>
    Port,
}
