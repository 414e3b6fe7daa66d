using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TunnelGuard.Capture;

namespace TunnelGuard.Tests.Capture;

/// <summary>
/// <see cref="LiveCapture"/> in this process, on the host's loopback, filtered to one closed port so that only this
/// test's frames match. Needs root or CAP_NET_RAW (CI runs as root).
/// </summary>
public sealed class LiveCaptureQueueTests
{
    [Fact]
    public async Task TwoFramesOnAQuietInterface_ReachTheReaderWithoutMoreTraffic_AndStopReturnsPromptly()
    {
        var port = ClosedPort();
        using var capture = LiveCapture.Start(new LiveCaptureOptions { Interfaces = ["lo"], Filter = $"tcp port {port}" });

        using (var client = new TcpClient())
        {
            // SYN, then the kernel's RST: two frames, far fewer than a batch holds.
            var refused = Assert.Throws<SocketException>(() => client.Connect(IPAddress.Loopback, port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        var frames = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (frames < 2)
        {
            var batch = await capture.Batches.ReadAsync(timeout.Token);
            for (var i = 0; i < batch.Count; i++)
            {
                var (source, destination) = TcpPorts(batch.Packet(i).Data);
                Assert.Contains(port, new[] { source, destination });
            }

            frames += batch.Count;
            capture.Return(batch);
        }

        var clock = Stopwatch.StartNew();
        capture.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"Stop took {clock.Elapsed}");
        Assert.Equal(2, frames);
        Assert.Equal(0, capture.Statistics().QueueDropped);
    }

    /// <summary>
    /// A burst far larger than a 1 MiB ring (about 15 slots of 64 KiB on lo in immediate mode, about 700 frames of 1.4 KB
    /// with blocks) overflows it: the kernel's drops must show
    /// in the statistics (SharpPcap's own statistics read ps_ifdrop in their place and said 0), and every frame libpcap
    /// handed over must reach the reader.
    /// </summary>
    [Fact]
    public async Task RingOverflow_KernelDropsAreCounted_AndEveryFrameHandedOverReachesTheReader()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        using var capture = LiveCapture.Start(new LiveCaptureOptions
        {
            Interfaces = ["lo"],
            Filter = $"udp dst port {port}",
            KernelBufferBytes = 1 << 20,
        });

        var reading = ReadOursAsync(capture, port);
        using var sender = new UdpClient();
        var datagram = new byte[1400];
        var sent = 0;
        for (var burst = 0; burst < 50 && capture.Statistics().KernelDropped == 0; burst++)
        {
            for (var i = 0; i < 5_000; i++, sent++)
            {
                sender.Send(datagram, datagram.Length, new IPEndPoint(IPAddress.Loopback, port));
            }
        }

        capture.Stop();
        var delivered = await reading;
        var stats = capture.Statistics();
        Assert.True(stats.KernelDropped > 0, $"no kernel drop counted after {sent} datagrams into a 1 MiB ring: {stats}");
        Assert.Equal(0, stats.QueueDropped);
        Assert.Equal(0, stats.LeftAtStop);
        Assert.Equal(stats.HandedOver, delivered);

        // lo shows each datagram twice, going out and coming in; libpcap hands over only the incoming copy.
        Assert.InRange(delivered, 1, sent);
        Assert.InRange(stats.Received, delivered + stats.KernelDropped, 2L * sent);
    }

    /// <summary>Reads batches until the capture completes; every frame must be one of this test's datagrams.</summary>
    private static async Task<long> ReadOursAsync(LiveCapture capture, int port)
    {
        long frames = 0;
        await foreach (var batch in capture.Batches.ReadAllAsync())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                Assert.Equal(port, TcpPorts(batch.Packet(i).Data).Destination);
            }

            frames += batch.Count;
            capture.Return(batch);
        }

        return frames;
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The TCP or UDP ports of an Ethernet/IPv4 frame (loopback frames carry a zeroed Ethernet header).</summary>
    private static (int Source, int Destination) TcpPorts(ReadOnlySpan<byte> frame)
    {
        var tcp = 14 + ((frame[14] & 0x0F) * 4);
        return ((frame[tcp] << 8) | frame[tcp + 1], (frame[tcp + 2] << 8) | frame[tcp + 3]);
    }
}
