using System.Net;
using System.Net.Sockets;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.Lab.Drivers;

/// <summary>
/// The lab's inner services on one address: HTTP (files of any size), echo, a line-based chat and a bulk sink/source.
/// Runs until cancelled; each connection is served on its own task and errors end only that connection.
/// </summary>
public sealed class ServiceHost
{
    private readonly IPAddress _address;
    private readonly int _httpPort;

    /// <summary>Services on <paramref name="address"/>; HTTP on <paramref name="httpPort"/> (e.g. 22, for plain HTTP where SSH is expected).</summary>
    public ServiceHost(IPAddress address, int httpPort = LabTopology.HttpPort)
    {
        _address = address;
        _httpPort = httpPort;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var services = new (int Port, Func<NetworkStream, CancellationToken, Task> Serve)[]
        {
            (_httpPort, HttpService.ServeAsync),
            (LabTopology.EchoPort, EchoAsync),
            (LabTopology.ChatPort, ChatService.ServeAsync),
            (LabTopology.BulkPort, BulkService.ServeAsync),
        };
        var listeners = new List<Task>();
        foreach (var (port, serve) in services)
        {
            var listener = new TcpListener(_address, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start(64);
            listeners.Add(AcceptLoopAsync(listener, serve, cancellationToken));
        }

        await Task.WhenAll(listeners).ConfigureAwait(false);
    }

    private static async Task AcceptLoopAsync(TcpListener listener, Func<NetworkStream, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(listener.Stop))
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(
                    async () =>
                    {
                        using (client)
                        {
                            try
                            {
                                await serve(client.GetStream(), cancellationToken).ConfigureAwait(false);
                            }
                            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                            {
                                // The peer went away; only this connection ends.
                            }
                        }
                    },
                    CancellationToken.None);
            }
        }
    }

    private static async Task EchoAsync(NetworkStream stream, CancellationToken cancellationToken) =>
        await stream.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
}
