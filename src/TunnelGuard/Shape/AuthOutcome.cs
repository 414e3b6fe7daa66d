namespace TunnelGuard.Shape;

/// <summary>Whether the SSH client logged in, as far as the encrypted packets' sizes tell (<see cref="AuthInference"/>).</summary>
public enum AuthOutcome
{
    /// <summary>Not known: cipher sizes not known, the connection still open or cut off, or too long to judge by shape.</summary>
    Unknown,

    /// <summary>The server sent a packet of exactly SSH_MSG_USERAUTH_SUCCESS's size early in the encrypted conversation.</summary>
    Success,

    /// <summary>The connection closed after a short encrypted conversation in which no such packet came.</summary>
    Failure,
}
