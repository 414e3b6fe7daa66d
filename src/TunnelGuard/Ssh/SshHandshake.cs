namespace TunnelGuard.Ssh;

/// <summary>
/// The SSH stage's view of one TCP flow: both directions' parsers, and from them whether the flow is SSH, which side
/// is the client, the HASSH fingerprints and the negotiated algorithms. Directions are the flow's: 0 from the TCP
/// initiator, 1 from the responder.
/// </summary>
public sealed class SshHandshake
{
    private const int SshPort = 22;

    // Two fields, not an array: one object fewer per flow that carries payload.
    private readonly SshDirectionParser _forward = new();
    private readonly SshDirectionParser _reverse = new();

    public SshDirectionParser Direction(int direction) => direction == 0 ? _forward : _reverse;

    /// <summary>True once either side sent an SSH identification line.</summary>
    public bool IsSsh => _forward.Identification is not null || _reverse.Identification is not null;

    /// <summary>True once both sides have shown they do not speak SSH.</summary>
    public bool IsNotSsh => !IsSsh && IsNonSsh(_forward) && IsNonSsh(_reverse);

    /// <summary>True when no more stream bytes are needed: both directions finished, or the flow is not SSH.</summary>
    public bool IsFinished => IsNotSsh || (_forward.IsFinished && _reverse.IsFinished);

    public void Update(int direction, ReadOnlySpan<byte> prefix, bool full) => Direction(direction).Parse(prefix, full);

    public void EndOfStream()
    {
        _forward.EndOfStream();
        _reverse.EndOfStream();
    }

    /// <summary>Which flow direction carries the client's bytes, and what decided it.</summary>
    /// <param name="startSeen">Whether the flow's SYN was captured (direction 0 sent it).</param>
    /// <param name="initiatorPort">The TCP initiator's port.</param>
    /// <param name="responderPort">The TCP responder's port.</param>
    public (int ClientDirection, SshRoleBasis Basis) ResolveRoles(bool startSeen, ushort initiatorPort, ushort responderPort)
    {
        var hint0 = _forward.RoleHint;
        var hint1 = _reverse.RoleHint;
        if (hint0 == SshRoleHint.Client || hint1 == SshRoleHint.Server)
        {
            return (0, SshRoleBasis.KeyExchange);
        }

        if (hint0 == SshRoleHint.Server || hint1 == SshRoleHint.Client)
        {
            return (1, SshRoleBasis.KeyExchange);
        }

        if (_forward.PreBannerLines != _reverse.PreBannerLines)
        {
            return (_forward.PreBannerLines > 0 ? 1 : 0, SshRoleBasis.PreBanner);
        }

        if (startSeen)
        {
            return (0, SshRoleBasis.TcpInitiator);
        }

        return (initiatorPort == SshPort && responderPort != SshPort ? 1 : 0, SshRoleBasis.Port);
    }

    /// <summary>Why parsing ended early on either side, for the report; an empty array (not allocated) when nothing did.</summary>
    public IReadOnlyList<string> Problems(int clientDirection)
    {
        var client = Direction(clientDirection);
        var server = Direction(1 - clientDirection);
        var isSsh = IsSsh;
        var clientSilent = isSsh && client.Identification is null;
        var serverSilent = isSsh && server.Identification is null;
        var count = (client.Problem is null ? 0 : 1) + (server.Problem is null ? 0 : 1) + (clientSilent ? 1 : 0) + (serverSilent ? 1 : 0);
        if (count == 0)
        {
            return [];
        }

        // Sized once: most connections have none, and an iterator spread into a list cost four objects per report.
        var problems = new string[count];
        var i = 0;
        if (client.Problem is not null)
        {
            problems[i++] = "client: " + client.Problem;
        }

        if (server.Problem is not null)
        {
            problems[i++] = "server: " + server.Problem;
        }

        if (clientSilent)
        {
            problems[i++] = "client sent no SSH identification line";
        }

        if (serverSilent)
        {
            problems[i] = "server sent no SSH identification line";
        }

        return problems;
    }

    private static bool IsNonSsh(SshDirectionParser parser) => parser.StartsWithSsh == false || parser.State == SshParseState.NotSsh;
}
