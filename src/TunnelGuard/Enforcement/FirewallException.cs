namespace TunnelGuard.Enforcement;

/// <summary>The firewall command failed or is missing; the message says which command and what it answered.</summary>
public sealed class FirewallException : Exception
{
    public FirewallException(string message)
        : base(message)
    {
    }

    public FirewallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FirewallException()
    {
    }
}
