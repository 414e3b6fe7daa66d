using System.Globalization;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Where to connect: <c>[user@]host[:port]</c>, with IPv6 addresses in brackets.</summary>
public sealed record SshDestination(string? User, string Host, int Port)
{
    /// <summary>The SSH port when none is given.</summary>
    public const int DefaultPort = 22;

    /// <summary>Parses <c>[user@]host[:port]</c> or <c>[user@][v6addr][:port]</c>.</summary>
    /// <exception cref="TunnelUsageException">The destination is malformed; the message quotes it.</exception>
    public static SshDestination Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? user = null;
        var rest = text;
        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            user = text[..at];
            rest = text[(at + 1)..];
            if (user.Length == 0)
            {
                throw Bad(text, "the user name is empty");
            }
        }

        string host;
        string? portText = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Bad(text, "unclosed '['");
            }

            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    throw Bad(text, "expected ':' after ']'");
                }

                portText = after[1..];
            }
        }
        else
        {
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && rest.IndexOf(':', colon + 1) >= 0)
            {
                // More than one ':' and no brackets: a bare IPv6 address without a port.
                host = rest;
            }
            else if (colon >= 0)
            {
                host = rest[..colon];
                portText = rest[(colon + 1)..];
            }
            else
            {
                host = rest;
            }
        }

        if (host.Length == 0)
        {
            throw Bad(text, "the host is empty");
        }

        foreach (var c in host)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '[' or ']' or '@')
            {
                throw Bad(text, $"'{host}' is not a valid host name or address");
            }
        }

        var port = DefaultPort;
        if (portText is not null)
        {
            port = ParsePort(text, portText);
        }

        return new SshDestination(user, host, port);
    }

    /// <summary>Parses a port given on its own (-p).</summary>
    /// <exception cref="TunnelUsageException">Not a number in 1-65535.</exception>
    public static int ParsePort(string context, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw Bad(context, $"port '{value}' is not a number in 1-65535");
        }

        return port;
    }

    /// <summary>This destination with the user and port replaced where given (-l, -p win over the destination text).</summary>
    public SshDestination With(string? user, int? port) => this with { User = user ?? User, Port = port ?? Port };

    /// <inheritdoc/>
    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return User is null ? $"{host}:{Port}" : $"{User}@{host}:{Port}";
    }

    private static TunnelUsageException Bad(string text, string reason) => new($"invalid destination '{text}': {reason}");
}
