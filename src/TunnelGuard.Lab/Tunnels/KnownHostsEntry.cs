using System.Security.Cryptography;
using System.Text;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>One parsed known_hosts line: host patterns (plain or hashed <c>|1|salt|hash</c>), key type and key blob.</summary>
public sealed class KnownHostsEntry
{
    // OpenSSH hostfile.h: HASH_MAGIC "|1|"; the hash is HMAC-SHA1 keyed by the salt over the host name.
    private const string HashMagic = "|1|";

    private readonly string[] _patterns;
    private readonly byte[]? _salt;
    private readonly byte[]? _hash;
    private readonly byte[] _keyBlob;

    private KnownHostsEntry(KnownHostsMarker marker, string hosts, string[] patterns, byte[]? salt, byte[]? hash, string keyType, byte[] keyBlob, int lineNumber)
    {
        Marker = marker;
        Hosts = hosts;
        _patterns = patterns;
        _salt = salt;
        _hash = hash;
        KeyType = keyType;
        _keyBlob = keyBlob;
        LineNumber = lineNumber;
    }

    public KnownHostsMarker Marker { get; }

    /// <summary>The host field as written (a pattern list or a hashed name).</summary>
    public string Hosts { get; }

    /// <summary>The key type named on the line, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType { get; }

    /// <summary>1-based line number in the file, for messages.</summary>
    public int LineNumber { get; }

    public bool IsHashed => _salt is not null;

    public ReadOnlySpan<byte> KeyBlob => _keyBlob;

    /// <summary>Parses one line; returns null for blank lines, comments and lines that are not a host key entry.</summary>
    public static KnownHostsEntry? TryParse(string line, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0].StartsWith('#'))
        {
            return null;
        }

        var marker = KnownHostsMarker.None;
        var i = 0;
        if (fields[0].StartsWith('@'))
        {
            marker = fields[0] switch
            {
                "@cert-authority" => KnownHostsMarker.CertAuthority,
                "@revoked" => KnownHostsMarker.Revoked,
                _ => (KnownHostsMarker)(-1),
            };
            if (!Enum.IsDefined(marker))
            {
                return null;
            }

            i = 1;
        }

        if (fields.Length < i + 3)
        {
            return null;
        }

        var hosts = fields[i];
        var keyType = fields[i + 1];
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(fields[i + 2]);
        }
        catch (FormatException)
        {
            return null;
        }

        // The blob starts with its own key type (RFC 4253 §6.6); a line whose type disagrees is corrupt.
        if (SshKeyBlob.KeyTypeOf(blob) != keyType)
        {
            return null;
        }

        if (hosts.StartsWith(HashMagic, StringComparison.Ordinal))
        {
            var parts = hosts[HashMagic.Length..].Split('|');
            if (parts.Length != 2)
            {
                return null;
            }

            try
            {
                var salt = Convert.FromBase64String(parts[0]);
                var hash = Convert.FromBase64String(parts[1]);
                return new KnownHostsEntry(marker, hosts, [], salt, hash, keyType, blob, lineNumber);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return new KnownHostsEntry(marker, hosts, hosts.Split(','), null, null, keyType, blob, lineNumber);
    }

    /// <summary>The name OpenSSH looks up for a host and port: <c>host</c> on port 22, else <c>[host]:port</c>.</summary>
    public static string LookupName(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        var lower = host.ToLowerInvariant();
        return port == SshDestination.DefaultPort ? lower : $"[{lower}]:{port}";
    }

    /// <summary>Whether this line applies to the host and port.</summary>
    public bool Matches(string host, int port)
    {
        var name = LookupName(host, port);
        if (_salt is not null)
        {
            var computed = HMACSHA1.HashData(_salt, Encoding.UTF8.GetBytes(name));
            return CryptographicOperations.FixedTimeEquals(computed, _hash);
        }

        var matched = false;
        foreach (var pattern in _patterns)
        {
            if (pattern.StartsWith('!'))
            {
                if (GlobMatches(pattern.AsSpan(1), name))
                {
                    return false;
                }
            }
            else if (GlobMatches(pattern, name))
            {
                matched = true;
            }
        }

        return matched;
    }

    /// <summary>Whether the key on this line is exactly the given key blob.</summary>
    public bool HasKey(ReadOnlySpan<byte> keyBlob) => keyBlob.SequenceEqual(_keyBlob);

    // OpenSSH match.c: '*' matches any run, '?' one character; host names compare case-insensitively.
    private static bool GlobMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        int p = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == name[n]))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
