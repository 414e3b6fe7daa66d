namespace TunnelGuard.Rules;

/// <summary>An inclusive range of TCP ports; a single port is a range of one.</summary>
public readonly record struct PortRange(ushort First, ushort Last)
{
    public bool Contains(ushort port) => port >= First && port <= Last;

    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}
