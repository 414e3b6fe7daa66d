namespace TunnelGuard.Capture;

/// <summary>
/// Where live frames went. libpcap's side: <see cref="Received"/> frames passed the kernel filter, of which the kernel
/// dropped <see cref="KernelDropped"/> (ring full) and libpcap handed <see cref="HandedOver"/> to the capture threads;
/// the rest it discarded itself (the outgoing copy of every frame on a loopback device, frames that were in the ring
/// before the filter was set) or had not handed over yet. Our side: every frame handed over is analysed, dropped by a
/// full queue (<see cref="QueueDropped"/>) or left behind because capture stopped (<see cref="LeftAtStop"/>).
/// </summary>
public sealed record LiveCaptureStatistics(long Received, long KernelDropped, long InterfaceDropped, long QueueDropped)
{
    /// <summary>Frames libpcap handed to the capture threads.</summary>
    public long HandedOver { get; init; }

    /// <summary>Frames handed over after the queue was closed at stop (a capture thread that did not stop in time).</summary>
    public long LeftAtStop { get; init; }

    /// <summary>Frames that passed the filter but that libpcap neither handed over nor counted as dropped (see above).</summary>
    public long NotHandedOver => Math.Max(0, Received - KernelDropped - HandedOver);
}
