using System.Buffers.Binary;
using System.Text;

namespace TunnelGuard.Ssh;

/// <summary>
/// Parses one direction of an SSH connection from its in-order stream prefix: optional pre-banner lines, the
/// identification line, then the cleartext binary packets of the first key exchange up to NEWKEYS. It resumes where
/// it stopped each time the prefix grows. Bad input ends parsing with a <see cref="Problem"/>, never an exception.
/// </summary>
public sealed class SshDirectionParser
{
    // RFC 4253 §4.2: the identification line is at most 255 bytes including CR LF.
    private const int MaxIdentificationLength = 255;

    // Lines before the identification are not limited by the RFC; a longer one is not a banner.
    private const int MaxPreBannerLineLength = 8192;

    // RFC 4253 §6.1 requires 35000-byte packets; OpenSSH accepts up to 256 KiB (PACKET_MAX_SIZE).
    private const int MaxPacketLength = 256 * 1024;

    // Distinct identification lines kept per thread (a network has a handful of client and server builds); emptied
    // when full, since a line that is not (or no longer) kept is still parsed correctly, only again.
    private const int MaxKeptIdentifications = 1024;

    // RFC 4253 §7.1: a KEXINIT's payload starts with 16 random bytes.
    private const int KexInitCookieLength = 16;

    private static ReadOnlySpan<byte> SshPrefix => "SSH-"u8;

    // Each distinct line parsed once per thread and its record shared: four strings per connection side before.
    [ThreadStatic]
    private static Dictionary<string, SshIdentification>? _identifications;

    private int _offset;

    public SshParseState State { get; private set; } = SshParseState.Identification;

    public SshIdentification? Identification { get; private set; }

    /// <summary>Lines the sender sent before its identification line (only servers may, RFC 4253 §4.2).</summary>
    public int PreBannerLines { get; private set; }

    public KexInit? KexInit { get; private set; }

    /// <summary>The side the key-exchange messages of this direction show the sender to be.</summary>
    internal int RoleHint { get; private set; }

    /// <summary>Why parsing stopped early, in words a person can read; null when nothing went wrong.</summary>
    public string? Problem { get; private set; }

    /// <summary>Stream offset of the first encrypted byte, once NEWKEYS was seen.</summary>
    public int EncryptedFrom { get; private set; } = -1;

    /// <summary>Whether this direction's first bytes were <c>SSH-</c>; null until enough bytes arrived to tell.</summary>
    public bool? StartsWithSsh { get; private set; }

    public bool IsFinished => State is SshParseState.Encrypted or SshParseState.Stopped or SshParseState.NotSsh;

    /// <summary>Parses what <paramref name="prefix"/> holds beyond the point reached before.</summary>
    /// <param name="prefix">The whole in-order prefix of this direction so far.</param>
    /// <param name="full">True when the prefix can grow no more (cap reached): what is incomplete now stays so.</param>
    public void Parse(ReadOnlySpan<byte> prefix, bool full)
    {
        if (State == SshParseState.Identification)
        {
            ParseLines(prefix, full);
        }

        if (State == SshParseState.KeyExchange)
        {
            ParsePackets(prefix, full);
        }
    }

    /// <summary>Marks the direction as finished when the stream ends before the handshake did.</summary>
    public void EndOfStream()
    {
        if (State == SshParseState.Identification && _offset > 0 && Identification is null)
        {
            StopNotSsh();
        }
        else if (State == SshParseState.KeyExchange && _offset > 0)
        {
            Stop("handshake incomplete: the stream ended before NEWKEYS");
        }
    }

    private void ParseLines(ReadOnlySpan<byte> prefix, bool full)
    {
        while (State == SshParseState.Identification)
        {
            var rest = prefix[_offset..];
            if (rest.IsEmpty)
            {
                if (full)
                {
                    // The prefix is full of lines and none was an identification.
                    StopNotSsh();
                }

                return;
            }

            // The client's first bytes must be its identification; anything else may still be a server's pre-banner.
            var startsSsh = rest.Length >= 4 ? rest.StartsWith(SshPrefix) : SshPrefix.StartsWith(rest);
            if (_offset == 0 && (rest.Length >= 4 || !startsSsh))
            {
                StartsWithSsh = startsSsh;
            }

            if (!startsSsh && !LooksLikeText(rest[..Math.Min(rest.Length, 64)]))
            {
                StopNotSsh();
                return;
            }

            var newline = rest.IndexOf((byte)'\n');
            var limit = startsSsh ? MaxIdentificationLength : MaxPreBannerLineLength;
            if (newline < 0)
            {
                if (rest.Length > limit)
                {
                    if (startsSsh)
                    {
                        // Still SSH, but nothing past an oversized identification line can be trusted.
                        Identification = ParseIdentification(rest[..limit]);
                        Stop($"identification line longer than {MaxIdentificationLength} bytes");
                    }
                    else
                    {
                        StopNotSsh();
                    }
                }
                else if (full)
                {
                    StopNotSsh();
                }

                return;
            }

            var line = rest[..newline];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            _offset += newline + 1;
            if (!startsSsh)
            {
                if (newline > limit)
                {
                    StopNotSsh();
                    return;
                }

                PreBannerLines++;
                continue;
            }

            // An oversized line is kept only up to the limit, as when its newline has not arrived yet.
            Identification = ParseIdentification(line.Length > MaxIdentificationLength ? line[..MaxIdentificationLength] : line);
            if (newline + 1 > MaxIdentificationLength)
            {
                Stop($"identification line longer than {MaxIdentificationLength} bytes");
            }
            else if (Identification.IsSsh1Only)
            {
                // SSH-1 has no KEXINIT: nothing more to fingerprint.
                State = SshParseState.Stopped;
            }
            else if (line.IndexOf((byte)0) >= 0)
            {
                Stop("identification line contains a NUL byte");
            }
            else
            {
                State = SshParseState.KeyExchange;
            }
        }
    }

    private void ParsePackets(ReadOnlySpan<byte> prefix, bool full)
    {
        while (State == SshParseState.KeyExchange)
        {
            var rest = prefix[_offset..];
            if (rest.Length < 5)
            {
                if (full)
                {
                    Stop("handshake does not fit in the stream prefix");
                }

                return;
            }

            // RFC 4253 §6: uint32 packet_length, byte padding_length, payload, padding; no MAC before NEWKEYS.
            var packetLength = BinaryPrimitives.ReadUInt32BigEndian(rest);
            var paddingLength = rest[4];
            if (packetLength < 2 || packetLength > MaxPacketLength)
            {
                Stop($"binary packet claims length {packetLength}");
                return;
            }

            // The payload must hold at least the message number.
            if (paddingLength >= packetLength - 1)
            {
                Stop($"binary packet of length {packetLength} claims {paddingLength} bytes of padding");
                return;
            }

            if (rest.Length < 4 + (long)packetLength)
            {
                if (full)
                {
                    Stop($"binary packet of {packetLength} bytes does not fit in the stream prefix");
                }

                return;
            }

            var payload = rest.Slice(5, (int)packetLength - paddingLength - 1);
            _offset += 4 + (int)packetLength;
            OnMessage(payload);
        }
    }

    private void OnMessage(ReadOnlySpan<byte> payload)
    {
        var message = payload[0];
        switch (message)
        {
            case SshMessage.KexInit:
                if (KexInit is null)
                {
                    KexInit = ParseKexInit(payload[1..], out var problem);
                    if (problem is not null)
                    {
                        Stop(problem);
                    }
                }

                break;
            case SshMessage.NewKeys:
                State = SshParseState.Encrypted;
                EncryptedFrom = _offset;
                break;
            case SshMessage.Disconnect:
                State = SshParseState.Stopped;
                Problem = "disconnected during key exchange" + DisconnectReason(payload[1..]);
                break;
            default:
                var hint = SshMessage.RoleOf(message);
                if (hint != SshRoleHint.None && RoleHint == SshRoleHint.None)
                {
                    RoleHint = hint;
                }

                break;
        }
    }

    private static KexInit? ParseKexInit(ReadOnlySpan<byte> body, out string? problem)
    {
        problem = null;
        if (body.Length < KexInitCookieLength)
        {
            problem = "KEXINIT shorter than its 16-byte cookie";
            return null;
        }

        // The cookie is random per connection and nothing reads it: equal KEXINITs are byte-identical after it.
        var afterCookie = body[KexInitCookieLength..];
        if (KexInitCache.Find(afterCookie) is { } known)
        {
            return known;
        }

        var kexInit = DecodeKexInit(afterCookie, out problem);
        if (kexInit is not null)
        {
            KexInitCache.Keep(afterCookie, kexInit);
        }

        return kexInit;
    }

    private static KexInit? DecodeKexInit(ReadOnlySpan<byte> afterCookie, out string? problem)
    {
        problem = null;
        var reader = new SshWireReader(afterCookie);

        // RFC 4253 §7.1: ten name-lists, then first_kex_packet_follows and a reserved uint32.
        Span<string> lists = new string[10];
        for (var i = 0; i < lists.Length; i++)
        {
            if (!reader.TryReadNameList(out lists[i], out var claimed))
            {
                problem = $"KEXINIT name-list {i + 1} of 10 claims {claimed} bytes but only {reader.Remaining} remain";
                return null;
            }
        }

        var follows = reader.TryReadByte(out var flag) && flag != 0;
        return KexInitCache.Intern(new KexInit(lists[0], lists[1], lists[2], lists[3], lists[4], lists[5], lists[6], lists[7], follows));
    }

    private static string DisconnectReason(ReadOnlySpan<byte> body)
    {
        var reader = new SshWireReader(body);
        if (reader.TryReadUInt32(out var code) && reader.TryReadNameList(out var description, out _))
        {
            return $" (reason {code}: {Truncate(description, 120)})";
        }

        return string.Empty;
    }

    private static SshIdentification ParseIdentification(ReadOnlySpan<byte> line)
    {
        // At most MaxIdentificationLength bytes, so the characters fit on the stack.
        Span<char> chars = stackalloc char[Encoding.UTF8.GetMaxCharCount(line.Length - 4)];
        var text = chars[..Encoding.UTF8.GetChars(line[4..], chars)];
        var kept = _identifications ??= new(StringComparer.Ordinal);
        if (kept.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var known))
        {
            return known;
        }

        if (kept.Count >= MaxKeptIdentifications)
        {
            kept.Clear();
        }

        var owned = new string(text);
        var identification = ParseIdentification(owned);
        kept[owned] = identification;
        return identification;
    }

    private static SshIdentification ParseIdentification(string text)
    {
        // SSH-protoversion-softwareversion SP comments (RFC 4253 §4.2), without the "SSH-".
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var proto = dash < 0 ? text : text[..dash];
        var software = dash < 0 ? string.Empty : text[(dash + 1)..];
        string? comments = null;
        var space = software.IndexOf(' ', StringComparison.Ordinal);
        if (space >= 0)
        {
            comments = software[(space + 1)..];
            software = software[..space];
        }

        return new SshIdentification(proto, software, comments);
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B))
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "...";

    private void Stop(string problem)
    {
        State = SshParseState.Stopped;
        Problem ??= problem;
    }

    private void StopNotSsh() => State = SshParseState.NotSsh;
}
