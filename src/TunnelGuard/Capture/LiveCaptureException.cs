namespace TunnelGuard.Capture;

/// <summary>Live capture could not start: no such interface, no permission, no libpcap, or a bad filter.</summary>
public sealed class LiveCaptureException : Exception
{
    public LiveCaptureException(string message)
        : base(message)
    {
    }

    public LiveCaptureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LiveCaptureException()
    {
    }
}
