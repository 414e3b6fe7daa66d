namespace TunnelGuard.Lab.Tunnels;

/// <summary>A forward that is listening, with the port it actually bound (which differs from the spec when that asked for 0).</summary>
public sealed record ActiveForward(ForwardSpec Spec, string BindAddress, int BoundPort)
{
    /// <summary>One line for people: <c>-L 127.0.0.1:40123 -> db:5432</c>.</summary>
    public override string ToString()
    {
        var bind = BindAddress.Contains(':', StringComparison.Ordinal) ? $"[{BindAddress}]" : BindAddress;
        var flag = ForwardSpec.FlagOf(Spec.Kind);
        return Spec.Kind switch
        {
            ForwardKind.Local => $"{flag} {bind}:{BoundPort} -> {Spec.TargetHost}:{Spec.TargetPort} (via server)",
            ForwardKind.Remote => $"{flag} server {bind}:{BoundPort} -> {Spec.TargetHost}:{Spec.TargetPort} (via client)",
            _ => $"{flag} {bind}:{BoundPort} SOCKS4/SOCKS5 (connections made by server)",
        };
    }
}
