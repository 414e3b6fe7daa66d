namespace TunnelGuard.Lab.Tunnels;

/// <summary>A forwarding or destination spec on the command line is malformed; the message names the bad spec.</summary>
public sealed class ForwardSpecException : FormatException
{
    public ForwardSpecException()
    {
    }

    public ForwardSpecException(string message)
        : base(message)
    {
    }

    public ForwardSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
