namespace TunnelGuard.Decoding;

/// <summary>What the decoder made of a frame.</summary>
public enum DecodeResult
{
    Tcp,
    NotIp,
    NotTcp,

    /// <summary>A non-first IP fragment: no TCP header to read.</summary>
    Fragment,

    /// <summary>Headers that contradict themselves or the frame's length.</summary>
    Malformed,
    UnsupportedLinkType,
}
