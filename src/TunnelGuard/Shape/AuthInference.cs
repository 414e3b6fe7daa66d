using TunnelGuard.Ssh;

namespace TunnelGuard.Shape;

/// <summary>
/// Infers the authentication outcome from the encrypted packets' sizes alone. RFC 4252 §5.1: SSH_MSG_USERAUTH_SUCCESS
/// is the message number and nothing else, a one-byte payload, so under the negotiated server-to-client cipher and
/// MAC it has one exact wire size (<see cref="SshPacketSizer.ForPayload"/>: 28 B for chacha20-poly1305, 36 B for
/// AES-GCM). The server's replies before it (SERVICE_ACCEPT, EXT_INFO, USERAUTH_FAILURE with its method list,
/// PK_OK with the key, banners) all carry more. So:
/// <list type="bullet">
/// <item><b>success</b>: a server segment of that size among the first <see cref="Window"/> encrypted segments;</item>
/// <item><b>failure</b>: none, the connection was closed (FIN or RST seen), the whole encrypted conversation fits in
/// the window, and the server answered at least twice (the service request and one authentication request);</item>
/// <item><b>unknown</b> otherwise: an unknown cipher, a connection still open or cut off by the capture, or a long
/// conversation without the packet (TCP may have merged it with the next one; a long session is no failed login).</item>
/// </list>
/// </summary>
public static class AuthInference
{
    /// <summary>
    /// Encrypted segments looked at: OpenSSH allows 6 attempts (MaxAuthTries), each a round trip or two, after the
    /// service request; a login that took more is not told apart from a session by this.
    /// </summary>
    public const int Window = 40;

    public static AuthOutcome Infer(ShapeRecorder? recorder, int clientDirection, SshAlgorithms? algorithms, bool closed)
    {
        var sizer = SshPacketSizer.For(algorithms?.CipherServerToClient, algorithms?.MacServerToClient);
        if (recorder is null || sizer is null)
        {
            return AuthOutcome.Unknown;
        }

        if (SuccessIndex(recorder.Sizes, recorder.Directions, recorder.Count, clientDirection, sizer) >= 0)
        {
            return AuthOutcome.Success;
        }

        var serverSegments = 0;
        foreach (var direction in recorder.Directions)
        {
            serverSegments += direction != clientDirection ? 1 : 0;
        }

        return closed && recorder.TotalSegments <= Window && serverSegments >= 2 ? AuthOutcome.Failure : AuthOutcome.Unknown;
    }

    /// <summary>Index of the USERAUTH_SUCCESS segment among the first <see cref="Window"/> of <paramref name="n"/>; -1 when there is none.</summary>
    public static int SuccessIndex(ReadOnlySpan<int> sizes, ReadOnlySpan<byte> dirs, int n, int clientDirection, SshPacketSizer? sizer)
    {
        if (sizer is null)
        {
            return -1;
        }

        var success = sizer.ForPayload(1);
        for (var i = 0; i < Math.Min(n, Window); i++)
        {
            if (dirs[i] != clientDirection && sizes[i] == success)
            {
                return i;
            }
        }

        return -1;
    }

    public static string Name(AuthOutcome outcome) => outcome switch
    {
        AuthOutcome.Success => "success",
        AuthOutcome.Failure => "failure",
        _ => "unknown",
    };
}
