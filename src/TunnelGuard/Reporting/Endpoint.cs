using TunnelGuard.Decoding;

namespace TunnelGuard.Reporting;

/// <summary>An address and port, one end of a connection.</summary>
public readonly record struct Endpoint(IpAddress Address, ushort Port)
{
    public override string ToString() => Address.IsV4 ? $"{Address}:{Port}" : $"[{Address}]:{Port}";
}
