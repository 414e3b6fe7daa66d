namespace TunnelGuard.Capture;

/// <summary>A capture file that cannot be read: the message names the file, the byte offset and what is wrong.</summary>
public sealed class CaptureFileException : Exception
{
    public CaptureFileException(string message)
        : base(message)
    {
    }

    public CaptureFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CaptureFileException()
    {
    }
}
