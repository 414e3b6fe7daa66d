using System.Globalization;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>One validated forwarding request, parsed from OpenSSH syntax (-L, -R, -D).</summary>
/// <param name="Kind">Which side listens and which side connects.</param>
/// <param name="BindAddress">Where the listener binds; null means loopback (OpenSSH's default), "*" means every address.</param>
/// <param name="BindPort">Listening port; 0 asks for an ephemeral port.</param>
/// <param name="TargetHost">Host to connect to; null for -D, where the SOCKS client names it.</param>
/// <param name="TargetPort">Port to connect to; 0 for -D.</param>
public sealed record ForwardSpec(ForwardKind Kind, string? BindAddress, int BindPort, string? TargetHost, int TargetPort)
{
    /// <summary>The bind address meaning "every address", as in OpenSSH.</summary>
    public const string AnyAddress = "*";

    /// <summary>The text this spec was given as, for messages.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Parses an -L or -R spec, <c>[bind:]port:host:hostport</c>, or a -D spec, <c>[bind:]port</c>.</summary>
    /// <exception cref="TunnelUsageException">The spec is malformed; the message quotes it.</exception>
    public static ForwardSpec Parse(ForwardKind kind, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var flag = FlagOf(kind);
        var parts = Split(text, flag);
        return kind switch
        {
            ForwardKind.Dynamic => ParseDynamic(text, flag, parts),
            _ => ParseTargeted(kind, text, flag, parts),
        };
    }

    /// <summary>The OpenSSH option letter for a kind: -L, -R or -D.</summary>
    public static string FlagOf(ForwardKind kind) => kind switch
    {
        ForwardKind.Local => "-L",
        ForwardKind.Remote => "-R",
        ForwardKind.Dynamic => "-D",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown forward kind"),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{FlagOf(Kind)} {Text}";

    private static ForwardSpec ParseDynamic(string text, string flag, List<string> parts)
    {
        if (parts.Count is < 1 or > 2)
        {
            throw Bad(flag, text, "expected [bind_address:]port");
        }

        var bind = parts.Count == 2 ? BindAddressOf(flag, text, parts[0]) : null;
        var port = ParsePort(flag, text, parts[^1], "port", allowZero: true);
        return new ForwardSpec(ForwardKind.Dynamic, bind, port, null, 0) { Text = text };
    }

    private static ForwardSpec ParseTargeted(ForwardKind kind, string text, string flag, List<string> parts)
    {
        if (parts.Count is < 3 or > 4)
        {
            var hint = kind == ForwardKind.Remote && parts.Count is 1 or 2
                ? "expected [bind_address:]port:host:hostport (remote dynamic forwarding is not supported)"
                : "expected [bind_address:]port:host:hostport";
            throw Bad(flag, text, hint);
        }

        var bind = parts.Count == 4 ? BindAddressOf(flag, text, parts[0]) : null;
        var port = ParsePort(flag, text, parts[^3], "port", allowZero: true);
        var host = parts[^2];
        if (host.Length == 0)
        {
            throw Bad(flag, text, "the target host is empty");
        }

        if (!IsValidHost(host))
        {
            throw Bad(flag, text, $"'{host}' is not a valid host name or address");
        }

        var hostPort = ParsePort(flag, text, parts[^1], "hostport", allowZero: false);
        return new ForwardSpec(kind, bind, port, host, hostPort) { Text = text };
    }

    private static string? BindAddressOf(string flag, string text, string value)
    {
        // OpenSSH: an empty bind address or "*" binds every address; "localhost" binds loopback only.
        if (value.Length == 0 || value == AnyAddress)
        {
            return AnyAddress;
        }

        if (!IsValidHost(value))
        {
            throw Bad(flag, text, $"'{value}' is not a valid bind address");
        }

        return value;
    }

    private static int ParsePort(string flag, string text, string value, string what, bool allowZero)
    {
        if (value.Length == 0 || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw Bad(flag, text, $"{what} '{value}' is not a number");
        }

        if (port > 65535 || (port == 0 && !allowZero))
        {
            throw Bad(flag, text, $"{what} {value} is out of range ({(allowZero ? 0 : 1)}-65535)");
        }

        return port;
    }

    private static bool IsValidHost(string host)
    {
        foreach (var c in host)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '@' or '[' or ']')
            {
                return false;
            }
        }

        return true;
    }

    // Splits on ':' except inside [...], so IPv6 addresses can be written bracketed as in OpenSSH.
    private static List<string> Split(string text, string flag)
    {
        var parts = new List<string>(4);
        var start = 0;
        var i = 0;
        while (i <= text.Length)
        {
            if (i < text.Length && text[i] == '[' && i == start)
            {
                var close = text.IndexOf(']', i);
                if (close < 0)
                {
                    throw Bad(flag, text, "unclosed '['");
                }

                if (close + 1 < text.Length && text[close + 1] != ':')
                {
                    throw Bad(flag, text, "expected ':' after ']'");
                }

                parts.Add(text[(i + 1)..close]);
                i = close + 2;
                start = i;
                if (close + 1 == text.Length)
                {
                    return parts;
                }

                continue;
            }

            if (i == text.Length || text[i] == ':')
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }

            i++;
        }

        return parts;
    }

    private static TunnelUsageException Bad(string flag, string text, string reason) =>
        new($"invalid {flag} spec '{text}': {reason}");
}
