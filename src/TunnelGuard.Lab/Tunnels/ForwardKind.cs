namespace TunnelGuard.Lab.Tunnels;

/// <summary>The three OpenSSH forwarding kinds: -L, -R and -D.</summary>
public enum ForwardKind
{
    /// <summary>-L: listen on the client, connect from the server.</summary>
    Local,

    /// <summary>-R: listen on the server, connect from the client.</summary>
    Remote,

    /// <summary>-D: a SOCKS4/5 proxy on the client, connections made from the server.</summary>
    Dynamic,
}
