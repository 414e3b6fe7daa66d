using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Renci.SshNet;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>
/// The -D SOCKS4/4a/5 front end. SSH.NET's ForwardedPortDynamic writes the SOCKS reply after it has started
/// passing the target's bytes on, so a server that speaks first (SSH, SMTP, our exchange test) corrupts the
/// reply (measured here; sshnet/SSH.NET pull request 1811). This front end parses the request itself, opens the
/// channel through a one-connection <see cref="ForwardedPortLocal"/> on loopback, sends the reply, and only then
/// relays bytes. Like OpenSSH's -D it replies success before the server has opened the channel; a target that
/// cannot be reached shows as EOF.
/// </summary>
internal sealed partial class SocksForwarder : IDisposable
{
    private readonly SshClient _client;
    private readonly ForwardSpec _spec;
    private readonly ILogger _logger;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task? _acceptLoop;

    public SocksForwarder(SshClient client, ForwardSpec spec, IPAddress bindAddress, ILogger logger)
    {
        _client = client;
        _spec = spec;
        _logger = logger;
        _listener = new TcpListener(bindAddress, spec.BindPort);
    }

    public int BoundPort => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public void Stop()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }

        try
        {
            Task.WaitAll(pending, TimeSpan.FromSeconds(5));
            _acceptLoop?.Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
            // Each connection logs its own failure; stopping is best effort.
        }
    }

    public void Dispose()
    {
        Stop();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = ServeAsync(socket);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield();
        using (socket)
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            try
            {
                var request = await ReadRequestAsync(stream, _stop.Token).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }

                Log.ChannelRequested(_logger, _spec, request.Host, (uint)request.Port);
                await ConnectAndRelayAsync(socket, stream, request).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or Renci.SshNet.Common.SshException)
            {
                if (!_stop.IsCancellationRequested)
                {
                    Log.ForwardError(_logger, _spec, ex.Message);
                }
            }
        }
    }
}
