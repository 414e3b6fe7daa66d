namespace TunnelGuard.Lab.Lab;

/// <summary>A lab step failed: a command exited non-zero, a host did not come up, a scenario did not do what it should.</summary>
public sealed class LabException : Exception
{
    public LabException()
    {
    }

    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
