using System.ComponentModel.DataAnnotations;

namespace TunnelGuard.Capture;

/// <summary>How to capture live: interfaces, kernel filter, and the bounds of the queue to the analysis thread.</summary>
public sealed class LiveCaptureOptions
{
    [MinLength(1)]
    public IReadOnlyList<string> Interfaces { get; set; } = [];

    /// <summary>A BPF filter compiled into the kernel: only TCP reaches user space by default.</summary>
    /// <summary>
    /// TCP, and every VLAN-tagged frame: a plain "tcp" filter looks for the IP ethertype right after the MAC addresses,
    /// so it misses 802.1Q and QinQ frames wherever the tag is still in the frame; the decoder reads the tags itself.
    /// </summary>
    public const string DefaultFilter = "tcp or vlan";

    public string Filter { get; set; } = DefaultFilter;

    /// <summary>Bytes kept of each frame; the handshake needs whole segments, the shape only the headers.</summary>
    [Range(96, 262_144)]
    public int Snaplen { get; set; } = 65_535;

    /// <summary>Frames waiting for analysis; beyond it new frames are dropped and counted.</summary>
    [Range(1024, 16_777_216)]
    public int QueueCapacity { get; set; } = 262_144;

    /// <summary>
    /// 1 to 1000 (default 10): immediate mode off, so libpcap uses TPACKET_V3, which packs frames by their real size
    /// into blocks and hands over a block when it is full or this many milliseconds after its first frame. 0: immediate
    /// mode, where libpcap hands over each frame as it arrives (TPACKET_V2), in a ring of fixed-size slots that are
    /// 64 KiB each on an interface with offloads on, so 64 MiB hold only ~1,000 frames: a live 10^6-SYN flood on a veth
    /// lost 14,698 frames to the full ring in immediate mode and none with 10 ms blocks (docs/hardening.md).
    /// </summary>
    [Range(0, 1000)]
    public int BlockTimeoutMilliseconds { get; set; } = 10;

    /// <summary>libpcap's kernel ring buffer.</summary>
    [Range(1 << 20, 1 << 30)]
    public int KernelBufferBytes { get; set; } = 64 << 20;

    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
