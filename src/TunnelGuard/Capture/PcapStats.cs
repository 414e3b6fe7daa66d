using System.Runtime.InteropServices;
using SharpPcap.LibPcap;

namespace TunnelGuard.Capture;

/// <summary>
/// libpcap's own counters of a live handle, read with <c>pcap_stats</c> directly. SharpPcap 6.3.1 reads them into a
/// struct of three pointer-sized fields, but on Linux <c>struct pcap_stat</c> is three 32-bit <c>u_int</c>s: its
/// "dropped" is really <c>ps_ifdrop</c>, so the kernel's drops (ring full) always read as 0 there.
/// </summary>
internal static class PcapStats
{
    // The names SharpPcap's own resolver tries on Linux, in its order: the one it loaded is found first.
    private static readonly string[] LibraryNames = ["libpcap.so", "libpcap.so.0", "libpcap.so.0.8", "libpcap.so.1", "libpcap.dylib"];

    private static readonly Lazy<PcapStatsFunction?> Function = new(Load);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int PcapStatsFunction(PcapHandle handle, out PcapStat stat);

    /// <summary>
    /// The counters of an open device: frames that passed the kernel filter (<c>ps_recv</c>), frames the kernel dropped
    /// because the ring was full (<c>ps_drop</c>), frames the interface dropped (<c>ps_ifdrop</c>); null when libpcap
    /// cannot say (device closed, or gone).
    /// </summary>
    public static (long Received, long KernelDropped, long InterfaceDropped)? Read(LibPcapLiveDevice device)
    {
        if (Function.Value is not { } function || !device.Opened)
        {
            return null;
        }

        var handle = device.Handle;
        if (handle is null || handle.IsInvalid || handle.IsClosed || function(handle, out var stat) != 0)
        {
            return null;
        }

        return (stat.Received, stat.Dropped, stat.InterfaceDropped);
    }

    private static PcapStatsFunction? Load()
    {
        if (OperatingSystem.IsWindows())
        {
            // Npcap's struct pcap_stat is longer; TunnelGuard captures on Linux.
            return null;
        }

        foreach (var name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "pcap_stats", out var address))
            {
                return Marshal.GetDelegateForFunctionPointer<PcapStatsFunction>(address);
            }
        }

        return null;
    }

    /// <summary><c>struct pcap_stat</c> on Linux and macOS (Windows appends a field we do not read).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct PcapStat
    {
        public readonly uint Received;
        public readonly uint Dropped;
        public readonly uint InterfaceDropped;
    }
}
