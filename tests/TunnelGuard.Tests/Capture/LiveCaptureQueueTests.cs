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

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The TCP ports of an Ethernet/IPv4 frame (loopback frames carry a zeroed Ethernet header).</summary>
    private static (int Source, int Destination) TcpPorts(ReadOnlySpan<byte> frame)
    {
        var tcp = 14 + ((frame[14] & 0x0F) * 4);
        return ((frame[tcp] << 8) | frame[tcp + 1], (frame[tcp + 2] << 8) | frame[tcp + 3]);
    }
}
