namespace TunnelGuard.Lab.Lab;

/// <summary>Which SSH client implementation a scenario drives.</summary>
public enum ClientKind
{
    /// <summary>Debian's OpenSSH client (`ssh`, `scp`, `sftp`).</summary>
    OpenSsh,

    /// <summary>`tunnelguard tunnel`, built on SSH.NET.</summary>
    SshNet,

    /// <summary>Dropbear's `dbclient`.</summary>
    Dropbear,

    /// <summary>PuTTY's `plink` (Debian's putty-tools).</summary>
    Plink,

    /// <summary>No SSH client: plain TCP traffic.</summary>
    None,
}
