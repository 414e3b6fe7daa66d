using System.Text;

namespace TunnelGuard.Ssh;

/// <summary>
/// Interns what KEXINIT messages carry and computes each distinct KEXINIT's HASSH once. The name-lists are almost
/// always byte-identical from one connection to the next (one client build, one list), yet decoding them gave every
/// connection about 3 KB of fresh strings that lived as long as its flow, every report built two ~700-character
/// HASSH strings and an MD5, and every connection negotiated its algorithms twice (to judge it and to report it), each
/// time into eight fresh strings. Whole KEXINITs are found by their bytes after the cookie (<see cref="Find"/>), so
/// a KEXINIT seen before costs one hash and one comparison, not ten decoded and looked-up name-lists. One cache per
/// thread, so the pipeline stays lock-free; bounded, and simply emptied or overwritten when full, because a value that
/// is not (or no longer) interned is still correct, only computed again.
/// </summary>
internal static class KexInitCache
{
    // Distinct name-lists and KEXINITs kept per thread (a power of two): a network has a handful of client and server builds.
    private const int MaxEntries = 1024;

    // Longer name-lists (OpenSSH's longest is ~1,500 bytes) are decoded but not interned; bounds the cache at ~8 MB.
    private const int MaxInternedLength = 4096;

    // KEXINITs longer than this after the cookie (OpenSSH's are 1-2 KB) are decoded every time; bounds the kept bytes
    // at 8 MB per thread.
    private const int MaxKeptPayloadLength = 8192;

    // Slots a lookup by bytes looks at: bounds its time whatever the hashes are, crafted or not.
    private const int ProbeLimit = 8;

    [ThreadStatic]
    private static KeptPayload[]? _byPayload;

    [ThreadStatic]
    private static Dictionary<string, string>? _names;

    [ThreadStatic]
    private static Dictionary<KexInit, KexInit>? _kexInits;

    [ThreadStatic]
    private static Dictionary<KexInit, Derived>? _derived;

    /// <summary>The KEXINIT kept for exactly these bytes (the message after its 16-byte cookie), or null.</summary>
    public static KexInit? Find(ReadOnlySpan<byte> afterCookie)
    {
        if (afterCookie.Length > MaxKeptPayloadLength || _byPayload is not { } slots)
        {
            return null;
        }

        var hash = PayloadHash.Of(afterCookie);
        var mask = slots.Length - 1;
        for (var i = 0; i < ProbeLimit; i++)
        {
            var slot = slots[((int)hash + i) & mask];
            if (slot.Payload is null)
            {
                return null;
            }

            if (slot.Hash == hash && afterCookie.SequenceEqual(slot.Payload))
            {
                return slot.KexInit;
            }
        }

        return null;
    }

    /// <summary>Keeps <paramref name="kexInit"/>, decoded from <paramref name="afterCookie"/>, for <see cref="Find"/>.</summary>
    public static void Keep(ReadOnlySpan<byte> afterCookie, KexInit kexInit)
    {
        if (afterCookie.Length > MaxKeptPayloadLength)
        {
            return;
        }

        var hash = PayloadHash.Of(afterCookie);
        var slots = _byPayload ??= new KeptPayload[MaxEntries];
        var mask = slots.Length - 1;
        var at = (int)hash & mask;
        for (var i = 0; i < ProbeLimit; i++)
        {
            // The first free slot, else the first one looked at: slots are never emptied, so lookups stop at no gap.
            if (slots[((int)hash + i) & mask].Payload is null)
            {
                at = ((int)hash + i) & mask;
                break;
            }
        }

        slots[at] = new KeptPayload(hash, afterCookie.ToArray(), kexInit);
    }

    /// <summary>A name-list decoded from Latin-1 (RFC 4251 §5 says US-ASCII; Latin-1 keeps hostile bytes visible one-for-one).</summary>
    public static string Name(ReadOnlySpan<byte> latin1)
    {
        if (latin1.IsEmpty)
        {
            return string.Empty;
        }

        if (latin1.Length > MaxInternedLength)
        {
            return Encoding.Latin1.GetString(latin1);
        }

        Span<char> chars = stackalloc char[latin1.Length];
        Encoding.Latin1.GetChars(latin1, chars);
        var names = _names ??= new(StringComparer.Ordinal);
        if (names.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var known))
        {
            return known;
        }

        var name = new string(chars);
        Remember(names, name, name);
        return name;
    }

    /// <summary>The one instance kept for KEXINITs equal to this one (whose lists are already interned).</summary>
    public static KexInit Intern(KexInit kexInit)
    {
        var kexInits = _kexInits ??= [];
        if (kexInits.TryGetValue(kexInit, out var known))
        {
            return known;
        }

        Remember(kexInits, kexInit, kexInit);
        return kexInit;
    }

    /// <summary>The HASSH string of a client's KEXINIT and its MD5.</summary>
    public static (string HasshString, string Hassh) Client(KexInit kexInit) => For(kexInit).Client;

    /// <summary>The HASSH-server string of a server's KEXINIT and its MD5.</summary>
    public static (string HasshString, string Hassh) Server(KexInit kexInit) => For(kexInit).Server;

    /// <summary>What a client's and a server's KEXINIT agree on (<see cref="SshAlgorithms.Negotiate"/>), once per pair.</summary>
    public static SshAlgorithms Negotiated(KexInit client, KexInit server)
    {
        var servers = For(client).Negotiated;
        if (!servers.TryGetValue(server, out var agreed))
        {
            agreed = SshAlgorithms.Compute(client, server);
            Remember(servers, server, agreed);
        }

        return agreed;
    }

    private static Derived For(KexInit kexInit)
    {
        // By reference: interned instances hit, any other is computed (correctly) and remembered.
        var derived = _derived ??= new(ReferenceEqualityComparer.Instance);
        if (!derived.TryGetValue(kexInit, out var known))
        {
            known = new Derived(kexInit);
            Remember(derived, kexInit, known);
        }

        return known;
    }

    private static void Remember<TKey, TValue>(Dictionary<TKey, TValue> cache, TKey key, TValue value)
        where TKey : notnull
    {
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }

        cache[key] = value;
    }

    /// <summary>A KEXINIT and the bytes after its cookie that it was decoded from.</summary>
    private readonly struct KeptPayload(uint hash, byte[] payload, KexInit kexInit)
    {
        public readonly uint Hash = hash;
        public readonly byte[]? Payload = payload;
        public readonly KexInit KexInit = kexInit;
    }

    /// <summary>What is computed from one KEXINIT: its fingerprints, and as a client what it agrees on with each server.</summary>
    private sealed class Derived(KexInit kexInit)
    {
        private (string, string)? _client;
        private (string, string)? _server;

        /// <summary>By the server's KEXINIT, compared by reference like the outer cache.</summary>
        public Dictionary<KexInit, SshAlgorithms> Negotiated { get; } = new(ReferenceEqualityComparer.Instance);

        public (string HasshString, string Hassh) Client => _client ??= WithHash(kexInit.ClientHasshString);

        public (string HasshString, string Hassh) Server => _server ??= WithHash(kexInit.ServerHasshString);

        private static (string, string) WithHash(string hasshString) => (hasshString, Hassh.Compute(hasshString));
    }
}
