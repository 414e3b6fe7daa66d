using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TunnelGuard.Alerts;

/// <summary>Where syslog messages go: <c>udp://host:port</c> (RFC 5426) or <c>tcp://host:port</c> (RFC 6587 octet counting); port 514 when left out.</summary>
public sealed record SyslogTarget(bool Tcp, string Host, int Port)
{
    public const string Expected = "udp://HOST[:PORT] or tcp://HOST[:PORT]";

    public static bool TryParse(string text, [NotNullWhen(true)] out SyslogTarget? target)
    {
        target = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "udp" && uri.Scheme != "tcp") || uri.Host.Length == 0
            || uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0)
        {
            return false;
        }

        target = new SyslogTarget(uri.Scheme == "tcp", uri.IdnHost.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? 514 : uri.Port);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(Tcp ? "tcp" : "udp")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}");
}
