namespace TunnelGuard.Lab.Tunnels;

/// <summary>Everything one SSH tunnel session needs; validated by <see cref="SshTunnelClient"/> when it is built.</summary>
public sealed class SshTunnelOptions
{
    /// <summary>OpenSSH's ServerAliveInterval is off by default; 15 s keeps NAT and firewall state alive.</summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Server to connect to; <see cref="SshDestination.User"/> must be set.</summary>
    public required SshDestination Destination { get; init; }

    public required IReadOnlyList<ForwardSpec> Forwards { get; init; }

    public required HostKeyPolicy HostKeyPolicy { get; init; }

    /// <summary>Private key file (OpenSSH, PEM or PuTTY format) for public key authentication.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Passphrase of an encrypted <see cref="KeyFile"/>.</summary>
    public string? KeyPassphrase { get; init; }

    /// <summary>Password for password authentication, or for keyboard-interactive where the server asks that way; tried after the key.</summary>
    public string? Password { get; init; }

    /// <summary>Interval between keepalive messages; zero turns them off.</summary>
    public TimeSpan KeepAlive { get; init; } = DefaultKeepAlive;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
