namespace TunnelGuard.Capture;

/// <summary>The LINKTYPE_ values (tcpdump.org/linktypes.html) that the decoder understands.</summary>
public static class LinkTypes
{
    /// <summary>BSD loopback: a 4-byte address family in the capturing host's byte order.</summary>
    public const int Null = 0;
    public const int Ethernet = 1;
    /// <summary>DLT_RAW as some platforms number it (OpenBSD 14, others 12).</summary>
    public const int RawAlt12 = 12;
    public const int RawAlt14 = 14;
    public const int Raw = 101;
    /// <summary>OpenBSD loopback: the address family in network byte order.</summary>
    public const int Loop = 108;
    public const int LinuxSll = 113;
    public const int Ipv4 = 228;
    public const int Ipv6 = 229;
    public const int LinuxSll2 = 276;

    public static bool IsSupported(int linkType) => linkType is Null or Ethernet or RawAlt12 or RawAlt14 or Raw or Loop
        or LinuxSll or Ipv4 or Ipv6 or LinuxSll2;
}
