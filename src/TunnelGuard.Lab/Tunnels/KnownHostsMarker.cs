namespace TunnelGuard.Lab.Tunnels;

/// <summary>The optional marker at the start of a known_hosts line (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT).</summary>
public enum KnownHostsMarker
{
    /// <summary>An ordinary host key line.</summary>
    None,

    /// <summary><c>@cert-authority</c>: a CA key for host certificates; not used to trust a plain host key.</summary>
    CertAuthority,

    /// <summary><c>@revoked</c>: a key that must never be accepted.</summary>
    Revoked,
}
