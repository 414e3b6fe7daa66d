namespace TunnelGuard.Ssh;

/// <summary>
/// The SSH stage's view of one TCP flow: both directions' parsers, and from them whether the flow is SSH, which side
/// is the client, the HASSH fingerprints and the negotiated algorithms. Directions are the flow's: 0 from the TCP
/// initiator, 1 from the responder.
/// </summary>
public sealed class SshHandshake
{
    private const int SshPort = 22;

    // Two fields, not an array: one object fewer per connection.
    private readonly SshDirectionParser _initiator = new();
    private readonly SshDirectionParser _responder = new();

    public SshDirectionParser Direction(int direction) => direction == 0 ? _initiator : _responder;

    /// <summary>True once either side sent an SSH identification line.</summary>
    public bool IsSsh => _initiator.Identification is not null || _responder.Identification is not null;

    /// <summary>True once both sides have shown they do not speak SSH.</summary>
    public bool IsNotSsh => !IsSsh && IsNonSsh(_initiator) && IsNonSsh(_responder);

    /// <summary>True when no more stream bytes are needed: both directions finished, or the flow is not SSH.</summary>
    public bool IsFinished => IsNotSsh || (_initiator.IsFinished && _responder.IsFinished);

    public void Update(int direction, ReadOnlySpan<byte> prefix, bool full) => Direction(direction).Parse(prefix, full);

    public void EndOfStream()
    {
        _initiator.EndOfStream();
        _responder.EndOfStream();
    }

    /// <summary>Which flow direction carries the client's bytes, and what decided it.</summary>
    /// <param name="startSeen">Whether the flow's SYN was captured (direction 0 sent it).</param>
    /// <param name="initiatorPort">The TCP initiator's port.</param>
    /// <param name="responderPort">The TCP responder's port.</param>
    public (int ClientDirection, SshRoleBasis Basis) ResolveRoles(bool startSeen, ushort initiatorPort, ushort responderPort)
    {
        var hint0 = _initiator.RoleHint;
        var hint1 = _responder.RoleHint;
        if (hint0 == SshRoleHint.Client || hint1 == SshRoleHint.Server)
        {
            return (0, SshRoleBasis.KeyExchange);
        }

        if (hint0 == SshRoleHint.Server || hint1 == SshRoleHint.Client)
        {
            return (1, SshRoleBasis.KeyExchange);
        }

        if (_initiator.PreBannerLines != _responder.PreBannerLines)
        {
            return (_initiator.PreBannerLines > 0 ? 1 : 0, SshRoleBasis.PreBanner);
        }

        if (startSeen)
        {
            return (0, SshRoleBasis.TcpInitiator);
        }

        return (initiatorPort == SshPort && responderPort != SshPort ? 1 : 0, SshRoleBasis.Port);
    }

    /// <summary>Why parsing ended early on either side, for the report.</summary>
    public IEnumerable<string> Problems(int clientDirection)
    {
        var client = Direction(clientDirection);
        var server = Direction(1 - clientDirection);
        if (client.Problem is not null)
        {
            yield return "client: " + client.Problem;
        }

        if (server.Problem is not null)
        {
            yield return "server: " + server.Problem;
        }

        if (IsSsh && client.Identification is null)
        {
            yield return "client sent no SSH identification line";
        }

        if (IsSsh && server.Identification is null)
        {
            yield return "server sent no SSH identification line";
        }
    }

    private static bool IsNonSsh(SshDirectionParser parser) => parser.StartsWithSsh == false || parser.State == SshParseState.NotSsh;
}
