using System.Net;
using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Opening the SSH channel for one SOCKS connection and relaying bytes both ways.</summary>
internal sealed partial class SocksForwarder
{
    private const int RelayBufferSize = 64 * 1024;

    private async Task ConnectAndRelayAsync(Socket socket, NetworkStream stream, SocksRequest request)
    {
        using var port = new ForwardedPortLocal(IPAddress.Loopback.ToString(), 0, request.Host, (uint)request.Port);
        port.Exception += (_, e) => Log.ForwardError(_logger, _spec, e.Exception.Message);
        try
        {
            // Same rule as every forward: add to the connected client, then start.
            _client.AddForwardedPort(port);
            port.Start();
        }
        catch (Exception ex) when (ex is SshException or SocketException or InvalidOperationException)
        {
            await ReplyAsync(stream, request, success: false, _stop.Token).ConfigureAwait(false);
            throw new IOException($"cannot open a channel to {request.Host}:{request.Port}: {ex.Message}", ex);
        }

        try
        {
            using var inner = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await inner.ConnectAsync(IPAddress.Loopback, (int)port.BoundPort, _stop.Token).ConfigureAwait(false);
            await using var innerStream = new NetworkStream(inner, ownsSocket: false);

            // The reply goes out before any byte of the target's, which is the whole point of this class.
            await ReplyAsync(stream, request, success: true, _stop.Token).ConfigureAwait(false);
            var up = PumpAsync(stream, inner, _stop.Token);
            var down = PumpAsync(innerStream, socket, _stop.Token);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        finally
        {
            StopQuietly(port);
            _client.RemoveForwardedPort(port);
        }
    }

    // Copies until EOF, then half-closes the other side so the far end sees EOF too.
    private static async Task PumpAsync(Stream from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[RelayBufferSize];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // A reset on one side ends this direction; the shutdown below tells the other side.
        }

        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    private static void StopQuietly(ForwardedPort port)
    {
        try
        {
            port.Stop();
        }
        catch (Exception ex) when (ex is SshException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The session may be gone already.
        }
    }
}
