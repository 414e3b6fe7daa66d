namespace TunnelGuard.Capture;

/// <summary>Where live packets went: delivered by libpcap, dropped by the kernel, dropped by our full queue.</summary>
public sealed record LiveCaptureStatistics(long Received, long KernelDropped, long InterfaceDropped, long QueueDropped);
