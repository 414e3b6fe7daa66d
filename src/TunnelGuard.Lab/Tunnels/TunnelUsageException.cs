namespace TunnelGuard.Lab.Tunnels;

/// <summary>A tunnel was asked for wrongly (a malformed spec, destination, fingerprint or key file); the message names the bad input.</summary>
public sealed class TunnelUsageException : Exception
{
    public TunnelUsageException()
    {
    }

    public TunnelUsageException(string message)
        : base(message)
    {
    }

    public TunnelUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
