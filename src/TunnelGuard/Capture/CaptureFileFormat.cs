namespace TunnelGuard.Capture;

/// <summary>The container format of a capture file.</summary>
public enum CaptureFileFormat
{
    Pcap,
    PcapNg,
}
