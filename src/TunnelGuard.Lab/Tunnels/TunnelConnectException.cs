namespace TunnelGuard.Lab.Tunnels;

/// <summary>Connecting, authenticating or starting a forward failed; the message is one line fit for a user.</summary>
public sealed class TunnelConnectException : Exception
{
    public TunnelConnectException()
    {
    }

    public TunnelConnectException(string message)
        : base(message)
    {
    }

    public TunnelConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
