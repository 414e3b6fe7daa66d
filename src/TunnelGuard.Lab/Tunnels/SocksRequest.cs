namespace TunnelGuard.Lab.Tunnels;

/// <summary>A parsed SOCKS CONNECT request: which version asked, and where to.</summary>
internal sealed record SocksRequest(int Version, string Host, int Port);
