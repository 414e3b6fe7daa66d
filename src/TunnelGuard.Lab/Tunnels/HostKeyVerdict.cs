namespace TunnelGuard.Lab.Tunnels;

/// <summary>The outcome of checking a server's host key, with a reason a person can act on.</summary>
public sealed record HostKeyVerdict(bool Trusted, string Reason);
