using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using SharpPcap;
using SharpPcap.LibPcap;

namespace TunnelGuard.Capture;

/// <summary>
/// Captures from live interfaces through libpcap (SharpPcap): a packed ring with a short block timeout, a kernel BPF filter, and a bounded
/// queue between the capture threads (one per interface) and the one reader. A capture thread copies frames out of
/// libpcap's ring into pooled <see cref="CapturedBatch"/>es and writes a batch to the queue when it is full or when the
/// ring is empty; a full queue drops the batch and counts its frames.
/// </summary>
public sealed class LiveCapture : IDisposable
{
    /// <summary>Frames per batch: enough that queue operations cost nothing per packet, few enough to hand over often.</summary>
    internal const int FramesPerBatch = 256;

    /// <summary>Buffer bytes per batch (or the snaplen, if larger): 256 frames of about 1 KB, the mix seen on a LAN.</summary>
    private const int BytesPerBatch = 256 << 10;

    /// <summary>How long a capture thread sleeps when the ring is empty: 1 ms while traffic flows, so a frame waits at
    /// most about that long, and 10 ms once the interface has been quiet for <see cref="QuietAfterMilliseconds"/>.</summary>
    private const int BusySleepMilliseconds = 1;
    private const int QuietSleepMilliseconds = 10;
    private const long QuietAfterMilliseconds = 200;

    // struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; }: on Linux, tv_sec and tv_usec
    // are both longs, so caplen follows two pointer-sized words.
    private static readonly int CaptureLengthOffset = 2 * IntPtr.Size;
    private static readonly int WireLengthOffset = (2 * IntPtr.Size) + 4;

    /// <summary>How often a capture thread whose interface went away tries to open it again.</summary>
    private static readonly TimeSpan ReopenInterval = TimeSpan.FromSeconds(1);

    private readonly LiveCaptureOptions _options;
    private readonly List<LibPcapLiveDevice> _devices = [];
    private readonly List<Thread> _threads = [];
    private readonly Channel<CapturedBatch> _queue;
    private readonly ConcurrentQueue<CapturedBatch> _pool = new();
    private readonly int _snaplen;
    private readonly int _bytesPerBatch;
    private long _queueDropped;
    private long _handedOver;
    private long _leftAtStop;
    private long _interfaceLosses;
    private int _interfacesDown;
    private volatile bool _stopping;

    private LiveCapture(LiveCaptureOptions options)
    {
        _options = options;
        _snaplen = options.Snaplen;
        _bytesPerBatch = Math.Max(BytesPerBatch, options.Snaplen);
        _queue = Channel.CreateBounded<CapturedBatch>(
            new BoundedChannelOptions(Math.Max(2, options.QueueCapacity / FramesPerBatch))
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
                SingleWriter = false,
            },
            dropped =>
            {
                Interlocked.Add(ref _queueDropped, dropped.Count);
                Return(dropped);
            });
    }

    /// <summary>Told (on the capture thread) when an interface goes away, with libpcap's reason: once per loss.</summary>
    public Action<string, string>? InterfaceLost { get; set; }

    /// <summary>Told when an interface that went away could be opened again and capture on it resumed.</summary>
    public Action<string>? InterfaceRestored { get; set; }

    /// <summary>How many times an interface went away while capturing.</summary>
    public long InterfaceLosses => Interlocked.Read(ref _interfaceLosses);

    /// <summary>Interfaces that went away and are not (yet) back.</summary>
    public int InterfacesDown => Volatile.Read(ref _interfacesDown);

    /// <summary>Batches of captured frames; give each back with <see cref="Return"/> once its packets are processed.</summary>
    public ChannelReader<CapturedBatch> Batches => _queue.Reader;

    /// <summary>Opens every interface and starts capturing; throws <see cref="LiveCaptureException"/> with a clear message.</summary>
    public static LiveCapture Start(LiveCaptureOptions options)
    {
        options.Validate();
        var capture = new LiveCapture(options);
        try
        {
            capture.Open(options);
        }
        catch
        {
            capture.Dispose();
            throw;
        }

        return capture;
    }

    /// <summary>
    /// libpcap's counters summed over the interfaces, and ours: frames libpcap handed over, frames a full queue
    /// dropped, frames left behind at stop. Safe to call from any thread (a scrape, the stop line).
    /// </summary>
    public LiveCaptureStatistics Statistics()
    {
        long received = 0, kernel = 0, iface = 0;
        lock (_devices)
        {
            // Under the lock: libpcap adds the kernel's counts into the handle at each call, and two calls at once
            // would race on that sum.
            foreach (var device in _devices)
            {
                try
                {
                    if (LibPcapStatistics.TryRead(device, out var deviceReceived, out var deviceKernel, out var deviceInterface))
                    {
                        received += deviceReceived;
                        kernel += deviceKernel;
                        iface += deviceInterface;
                    }
                }
                catch (Exception ex) when (ex is PcapException or ObjectDisposedException or DllNotFoundException or EntryPointNotFoundException)
                {
                    // A device that went away has no statistics; its last counts are lost, not the capture. (No libpcap
                    // under a name LibPcapStatistics knows: SharpPcap found one, so capture goes on without counts.)
                }
            }
        }

        return new LiveCaptureStatistics(received, kernel, iface, Interlocked.Read(ref _queueDropped))
        {
            HandedOver = Interlocked.Read(ref _handedOver),
            LeftAtStop = Interlocked.Read(ref _leftAtStop),
        };
    }

    /// <summary>Gives a batch taken from <see cref="Batches"/> back to the pool.</summary>
    public void Return(CapturedBatch batch)
    {
        batch.Clear();
        _pool.Enqueue(batch);
    }

    /// <summary>Stops capturing; batches already queued can still be read, then the reader completes.</summary>
    public void Stop()
    {
        _stopping = true;
        foreach (var thread in _threads)
        {
            // A capture thread notices within one sleep (at most 10 ms) and hands over its last batch first.
            thread.Join(TimeSpan.FromSeconds(5));
        }

        _queue.Writer.TryComplete();
    }

    public void Dispose()
    {
        Stop();
        lock (_devices)
        {
            foreach (var device in _devices)
            {
                device.Close();
            }
        }

        while (_queue.Reader.TryRead(out var batch))
        {
            Return(batch);
        }
    }

    private void Open(LiveCaptureOptions options)
    {
        LibPcapLiveDeviceList all;
        try
        {
            all = LibPcapLiveDeviceList.New();
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException)
        {
            throw new LiveCaptureException("libpcap is not installed (Debian: apt-get install libpcap0.8)", ex);
        }

        foreach (var name in options.Interfaces)
        {
            var device = all.FirstOrDefault(d => d.Name == name)
                ?? throw new LiveCaptureException($"no such interface '{name}' (available: {string.Join(", ", all.Select(d => d.Name))})");
            _devices.Add(device);
            Activate(device, options);
        }

        foreach (var device in _devices)
        {
            // Our own loop over pcap_next_ex instead of SharpPcap's capture thread and event: that path allocates a
            // header and a timeval object per packet, and gives no sign of when the ring is empty.
            var thread = new Thread(CaptureLoop) { IsBackground = true, Name = $"capture {device.Name}" };
            _threads.Add(thread);
            thread.Start(device);
        }
    }

    /// <summary>Opens a device the way capture needs it: promiscuous, immediate (or blocks), snaplen, buffer, filter, non-blocking.</summary>
    private static void Activate(LibPcapLiveDevice device, LiveCaptureOptions options)
    {
        var name = device.Name;
        try
        {
            // Immediate mode makes libpcap use TPACKET_V2, a ring of fixed slots each as large as the biggest frame the
            // interface can carry (64 KiB with offloads on): 64 MiB hold only about 1,000 frames, and a capture thread
            // held up for ~10 ms at 100 kpps loses frames. A block timeout (TPACKET_V3) packs frames by their size.
            device.Open(new DeviceConfiguration
            {
                Mode = DeviceModes.Promiscuous,
                Immediate = options.BlockTimeoutMilliseconds == 0,
                Snaplen = options.Snaplen,
                ReadTimeout = options.BlockTimeoutMilliseconds == 0 ? 100 : options.BlockTimeoutMilliseconds,
                BufferSize = options.KernelBufferBytes,
            });
        }
        catch (PcapException ex)
        {
            throw new LiveCaptureException($"cannot capture on '{name}': {ex.Message} (capturing needs root or CAP_NET_RAW)", ex);
        }

        try
        {
            // SharpPcap: the filter can only be set on an open device.
            device.Filter = options.Filter;
        }
        catch (PcapException ex)
        {
            throw new LiveCaptureException($"bad capture filter '{options.Filter}': {ex.Message}", ex);
        }

        try
        {
            // A blocking read does not return on a quiet interface until a frame arrives
            // (libpcap 1.10 polls again after its timeout): a partly filled batch would wait, and so would Stop.
            device.NonBlockingMode = true;
        }
        catch (PcapException ex)
        {
            throw new LiveCaptureException($"cannot capture on '{name}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// After the interface went away: tries every <see cref="ReopenInterval"/> to find an interface of the same name and
    /// open it again; the new device, or null when capture is stopping.
    /// </summary>
    private LibPcapLiveDevice? Reopen(LibPcapLiveDevice lost)
    {
        var name = lost.Name;
        while (!_stopping)
        {
            Thread.Sleep(ReopenInterval);
            LibPcapLiveDevice? device = null;
            try
            {
                device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == name);
                if (device is null)
                {
                    continue;
                }

                Activate(device, _options);
            }
            catch (LiveCaptureException)
            {
                device?.Close();
                continue;
            }

            lock (_devices)
            {
                _devices[_devices.IndexOf(lost)] = device;
            }

            lost.Close();
            return device;
        }

        return null;
    }

    private void CaptureLoop(object? state)
    {
        var device = (LibPcapLiveDevice)state!;
        var linkType = (int)device.LinkType;
        var batch = TakeBatch();
        nint header = 0, data = 0;
        var emptySince = 0L;
        try
        {
            while (!_stopping)
            {
                // 1: a frame, valid until the next call; 0: the ring is empty; below 0: an error (the interface went
                // away), which ends this interface's capture.
                var status = device.GetNextPacketPointers(ref header, ref data);
                if (status == 0)
                {
                    batch = Publish(batch);
                    var now = Environment.TickCount64;
                    emptySince = emptySince == 0 ? now : emptySince;
                    Thread.Sleep(now - emptySince < QuietAfterMilliseconds ? BusySleepMilliseconds : QuietSleepMilliseconds);
                    continue;
                }

                if (status < 0)
                {
                    // The interface went away (deleted, or down): say so once, keep the other interfaces going, and
                    // open it again when an interface of that name is back.
                    batch = Publish(batch);
                    Interlocked.Increment(ref _interfaceLosses);
                    Interlocked.Increment(ref _interfacesDown);
                    InterfaceLost?.Invoke(device.Name, device.LastError ?? $"pcap error {status}");
                    var reopened = Reopen(device);
                    if (reopened is null)
                    {
                        break;
                    }

                    device = reopened;
                    linkType = (int)device.LinkType;
                    Interlocked.Decrement(ref _interfacesDown);
                    InterfaceRestored?.Invoke(device.Name);
                    continue;
                }

                emptySince = 0;
                batch = Add(batch, header, data, linkType);
            }

            if (_stopping)
            {
                batch = DrainRing(device, linkType, batch);
            }
        }
        finally
        {
            Return(Publish(batch));
        }
    }

    /// <summary>
    /// At stop: takes what the kernel had already put into the ring (and counted as received), so that it is analysed
    /// rather than left behind. Bounded by the queue's capacity, in case a flood keeps the ring from ever emptying.
    /// </summary>
    private CapturedBatch DrainRing(LibPcapLiveDevice device, int linkType, CapturedBatch batch)
    {
        nint header = 0, data = 0;
        for (var taken = 0; taken < _options.QueueCapacity && device.GetNextPacketPointers(ref header, ref data) == 1; taken++)
        {
            batch = Add(batch, header, data, linkType);
        }

        return batch;
    }

    /// <summary>Copies the frame libpcap handed over into the batch, publishing the batch when it is full.</summary>
    private CapturedBatch Add(CapturedBatch batch, nint header, nint data, int linkType)
    {
        var length = Math.Min(Marshal.ReadInt32(header, CaptureLengthOffset), _snaplen);
        var original = Marshal.ReadInt32(header, WireLengthOffset);
        var micros = ((long)Marshal.ReadIntPtr(header) * 1_000_000) + (long)Marshal.ReadIntPtr(header, IntPtr.Size);
        if (!batch.TryAdd(data, length, original, linkType, micros))
        {
            batch = Publish(batch);
            batch.TryAdd(data, length, original, linkType, micros);
        }

        return batch.IsFull ? Publish(batch) : batch;
    }

    /// <summary>Hands a non-empty batch to the queue and returns an empty one to fill next.</summary>
    private CapturedBatch Publish(CapturedBatch batch)
    {
        if (batch.Count == 0)
        {
            return batch;
        }

        // Counted per batch, not per frame: every frame handed over by libpcap is in exactly one published batch.
        Interlocked.Add(ref _handedOver, batch.Count);
        if (!_queue.Writer.TryWrite(batch))
        {
            // Writer completed: capture stopped before this thread did (Stop's join timed out).
            Interlocked.Add(ref _leftAtStop, batch.Count);
            Return(batch);
        }

        return TakeBatch();
    }

    private CapturedBatch TakeBatch() => _pool.TryDequeue(out var batch) ? batch : new CapturedBatch(_bytesPerBatch, FramesPerBatch);
}
