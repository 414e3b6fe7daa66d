using System.Buffers;
using System.Threading.Channels;
using SharpPcap;
using SharpPcap.LibPcap;

namespace TunnelGuard.Capture;

/// <summary>
/// Captures from live interfaces through libpcap (SharpPcap): immediate mode, a kernel BPF filter, and a bounded
/// queue between libpcap's capture threads and the one reader. The capture callback only copies the frame into a
/// pooled buffer and calls TryWrite; a full queue drops the frame and counts it.
/// </summary>
public sealed class LiveCapture : IDisposable
{
    private readonly List<LibPcapLiveDevice> _devices = [];
    private readonly Channel<CapturedFrame> _queue;
    private readonly int _snaplen;
    private long _queueDropped;

    private LiveCapture(LiveCaptureOptions options)
    {
        _snaplen = options.Snaplen;
        _queue = Channel.CreateBounded<CapturedFrame>(
            new BoundedChannelOptions(options.QueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
                SingleWriter = false,
            },
            dropped =>
            {
                Interlocked.Increment(ref _queueDropped);
                dropped.Return();
            });
    }

    public ChannelReader<CapturedFrame> Frames => _queue.Reader;

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

    public LiveCaptureStatistics Statistics()
    {
        long received = 0, kernel = 0, iface = 0;
        foreach (var device in _devices)
        {
            try
            {
                var stats = device.Statistics;
                received += stats.ReceivedPackets;
                kernel += stats.DroppedPackets;
                iface += stats.InterfaceDroppedPackets;
            }
            catch (PcapException)
            {
                // A device that went away has no statistics; its last counts are lost, not the capture.
            }
        }

        return new LiveCaptureStatistics(received, kernel, iface, Interlocked.Read(ref _queueDropped));
    }

    /// <summary>Stops capturing; frames already queued can still be read, then the reader completes.</summary>
    public void Stop()
    {
        foreach (var device in _devices)
        {
            try
            {
                if (device.Started)
                {
                    device.StopCapture();
                }
            }
            catch (PcapException)
            {
            }
        }

        _queue.Writer.TryComplete();
    }

    public void Dispose()
    {
        Stop();
        foreach (var device in _devices)
        {
            device.Close();
        }

        while (_queue.Reader.TryRead(out var frame))
        {
            frame.Return();
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
            try
            {
                device.Open(new DeviceConfiguration
                {
                    Mode = DeviceModes.Promiscuous,
                    Immediate = true,
                    Snaplen = options.Snaplen,
                    ReadTimeout = 100,
                    BufferSize = options.KernelBufferBytes,
                });
            }
            catch (PcapException ex)
            {
                throw new LiveCaptureException($"cannot capture on '{name}': {ex.Message} (capturing needs root or CAP_NET_RAW)", ex);
            }

            _devices.Add(device);
            try
            {
                // SharpPcap: the filter can only be set on an open device.
                device.Filter = options.Filter;
            }
            catch (PcapException ex)
            {
                throw new LiveCaptureException($"bad capture filter '{options.Filter}': {ex.Message}", ex);
            }

            device.OnPacketArrival += OnPacketArrival;
        }

        foreach (var device in _devices)
        {
            device.StartCapture();
        }
    }

    private void OnPacketArrival(object sender, PacketCapture e)
    {
        var data = e.Data;
        var length = Math.Min(data.Length, _snaplen);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        data[..length].CopyTo(buffer);
        var time = e.Header.Timeval;
        var micros = ((long)time.Seconds * 1_000_000) + (long)time.MicroSeconds;
        var frame = new CapturedFrame(buffer, length, Math.Max(length, e.Header is PcapHeader h ? (int)h.PacketLength : length), (int)e.Device.LinkType, micros);
        if (!_queue.Writer.TryWrite(frame))
        {
            // Writer completed: capture is stopping.
            frame.Return();
        }
    }
}
