using System.Security.Cryptography;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Decides whether a server's host key is trusted: by known_hosts, by pinned SHA256 fingerprints, or (insecurely) always.</summary>
public sealed class HostKeyPolicy
{
    private const string Sha256Prefix = "SHA256:";

    private readonly KnownHostsFile? _knownHosts;
    private readonly List<byte[]> _fingerprints;

    private HostKeyPolicy(KnownHostsFile? knownHosts, List<byte[]> fingerprints, bool trustAny)
    {
        _knownHosts = knownHosts;
        _fingerprints = fingerprints;
        IsInsecure = trustAny;
    }

    /// <summary>True when every host key is accepted; callers must warn.</summary>
    public bool IsInsecure { get; }

    /// <summary>Trusts the keys a known_hosts file lists for the host (plain and hashed entries; @revoked keys never).</summary>
    public static HostKeyPolicy FromKnownHosts(KnownHostsFile knownHosts)
    {
        ArgumentNullException.ThrowIfNull(knownHosts);
        return new HostKeyPolicy(knownHosts, [], trustAny: false);
    }

    /// <summary>Trusts only keys with one of these fingerprints, each written as OpenSSH prints them: <c>SHA256:base64</c>.</summary>
    /// <exception cref="TunnelUsageException">A fingerprint is not <c>SHA256:</c> followed by 32 bytes of base64.</exception>
    public static HostKeyPolicy FromFingerprints(IEnumerable<string> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        var parsed = new List<byte[]>();
        foreach (var text in fingerprints)
        {
            parsed.Add(ParseFingerprint(text));
        }

        if (parsed.Count == 0)
        {
            throw new TunnelUsageException("no host key fingerprint given");
        }

        return new HostKeyPolicy(null, parsed, trustAny: false);
    }

    /// <summary>Accepts any host key. Only for labs: a man in the middle goes unnoticed.</summary>
    public static HostKeyPolicy TrustAny() => new(null, [], trustAny: true);

    /// <summary>Parses <c>SHA256:base64</c> (padding optional) into the 32-byte digest.</summary>
    public static byte[] ParseFingerprint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Sha256Prefix, StringComparison.Ordinal))
        {
            throw new TunnelUsageException($"host key fingerprint '{text}' must start with '{Sha256Prefix}' (as printed by ssh-keygen -lf)");
        }

        var body = text[Sha256Prefix.Length..].TrimEnd('=');
        var padded = body + new string('=', (4 - (body.Length % 4)) % 4);
        var digest = new byte[SHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(padded, digest, out var written) || written != SHA256.HashSizeInBytes)
        {
            throw new TunnelUsageException($"host key fingerprint '{text}' is not 32 bytes of base64");
        }

        return digest;
    }

    /// <summary>
    /// Key types known_hosts lists for this host, so the client offers only host key algorithms it can check
    /// (as OpenSSH orders them); null when any type will do.
    /// </summary>
    public IReadOnlySet<string>? KnownKeyTypes(string host, int port)
    {
        if (_knownHosts is null)
        {
            return null;
        }

        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _knownHosts.EntriesFor(host, port))
        {
            if (entry.Marker == KnownHostsMarker.None)
            {
                types.Add(entry.KeyType);
            }
        }

        return types.Count == 0 ? null : types;
    }

    /// <summary>Checks the key blob a server presented for <paramref name="host"/>:<paramref name="port"/>.</summary>
    public HostKeyVerdict Verify(string host, int port, ReadOnlySpan<byte> keyBlob)
    {
        var keyType = SshKeyBlob.KeyTypeOf(keyBlob) ?? "unknown";
        var presented = $"{keyType} {Sha256Prefix}{SshKeyBlob.Sha256Fingerprint(keyBlob)}";
        if (IsInsecure)
        {
            return new HostKeyVerdict(true, $"accepted {presented} without verification (--insecure-trust-any-host-key)");
        }

        if (_knownHosts is null)
        {
            var digest = SHA256.HashData(keyBlob);
            foreach (var pinned in _fingerprints)
            {
                if (CryptographicOperations.FixedTimeEquals(pinned, digest))
                {
                    return new HostKeyVerdict(true, $"{presented} matches the pinned fingerprint");
                }
            }

            return new HostKeyVerdict(false, $"host key mismatch for {KnownHostsEntry.LookupName(host, port)}: server presented {presented}, which is not a pinned --host-key-sha256 fingerprint");
        }

        return VerifyKnownHosts(_knownHosts, host, port, keyBlob, presented);
    }

    private static HostKeyVerdict VerifyKnownHosts(KnownHostsFile file, string host, int port, ReadOnlySpan<byte> keyBlob, string presented)
    {
        var name = KnownHostsEntry.LookupName(host, port);
        var entries = file.EntriesFor(host, port);
        foreach (var entry in entries)
        {
            if (entry.Marker == KnownHostsMarker.Revoked && entry.HasKey(keyBlob))
            {
                return new HostKeyVerdict(false, $"host key for {name} is marked @revoked in {file.Path} line {entry.LineNumber}: {presented}");
            }
        }

        var lines = new List<int>();
        foreach (var entry in entries)
        {
            if (entry.Marker != KnownHostsMarker.None)
            {
                continue;
            }

            if (entry.HasKey(keyBlob))
            {
                return new HostKeyVerdict(true, $"{presented} matches {file.Path} line {entry.LineNumber}");
            }

            lines.Add(entry.LineNumber);
        }

        return lines.Count == 0
            ? new HostKeyVerdict(false, $"no host key for {name} in {file.Path}; server presented {presented}")
            : new HostKeyVerdict(false, $"host key mismatch for {name}: server presented {presented}, {file.Path} line(s) {string.Join(',', lines)} list a different key");
    }
}
