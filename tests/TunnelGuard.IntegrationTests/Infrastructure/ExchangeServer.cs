using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>A TCP service that runs the accepting side of <see cref="ByteExchange"/> with every client and records what it saw.</summary>
public sealed class ExchangeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly long _sendBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(IPEndPoint Peer, ExchangeResult Result)> _results = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    public ExchangeServer(IPAddress address, long sendBytes)
    {
        _sendBytes = sendBytes;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public IReadOnlyCollection<(IPEndPoint Peer, ExchangeResult Result)> Results => _results;

    public IReadOnlyCollection<Exception> Errors => _errors;

    /// <summary>Waits until <paramref name="count"/> exchanges have finished on the server side.</summary>
    public async Task WaitForResultsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_results.Count < count)
        {
            if (!_errors.IsEmpty)
            {
                throw new AggregateException("exchange server failed", _errors);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {_results.Count} of {count} exchanges finished on the server side");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one exchange of <paramref name="bytes"/> each way through a forward listening on <paramref name="entry"/>
    /// that leads to this server, and asserts that both directions arrived intact (SHA-256 on both sides).
    /// </summary>
    public async Task AssertExchangeThroughAsync(IPEndPoint entry, long bytes)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var before = _results.Count;
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await client.ConnectAsync(entry, timeout.Token).ConfigureAwait(false);
        var (result, peerReported) = await ByteExchange.ConnectSideAsync(client.GetStream(), bytes, timeout.Token).ConfigureAwait(false);
        Assert.Equal(result.SentSha256, peerReported);
        await WaitForResultsAsync(before + 1, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        Assert.Contains(_results, r => r.Result.SentSha256 == result.ReceivedSha256);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the loop.
        }

        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }

        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(5_000)).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var peer = (IPEndPoint)client.Client.RemoteEndPoint!;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(120));
                var result = await ByteExchange.AcceptSideAsync(client.GetStream(), _sendBytes, timeout.Token).ConfigureAwait(false);
                _results.Enqueue((peer, result));

                // Let the peer read the trailer before the close.
                await Task.Delay(200, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException)
            {
                if (!_stop.IsCancellationRequested)
                {
                    _errors.Enqueue(ex);
                }
            }
        }
    }
}
