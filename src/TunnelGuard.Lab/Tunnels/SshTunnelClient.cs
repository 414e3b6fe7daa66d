using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>
/// One SSH connection carrying -L, -R and -D forwards, built on SSH.NET. It verifies the host key itself
/// (SSH.NET trusts every key unless told otherwise) and turns failures into one-line messages.
/// </summary>
public sealed partial class SshTunnelClient : IDisposable
{
    // SSH.NET blocks pool threads for as long as a forwarded channel is open (about two per -R channel). Measured on
    // 2 cores with OpenSSH 9.2: with a minimum of N threads, up to ~N/2 concurrent -R channels open in tens of ms to
    // ~1 s; a few more and the client stops answering channel opens (N=16: 8 fine, 16 took 8.6 s, 32 hung; N=64: 32
    // fine, 48 hung; N=512: 200 fine, 300 hung). Threads up to the minimum are made only when needed, so a high
    // minimum costs nothing while idle.
    private const int MinPoolThreads = 512;

    private readonly SshTunnelOptions _options;
    private readonly ILogger _logger;
    private readonly SshClient _client;
    private readonly List<ForwardedPort> _ports = [];
    private readonly List<SocksForwarder> _socks = [];
    private readonly TaskCompletionSource<Exception> _connectionLost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HostKeyVerdict? _hostKeyVerdict;
    private bool _stopped;

    public SshTunnelClient(SshTunnelOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Destination.User is null)
        {
            throw new TunnelUsageException("no user name: give user@host or -l USER");
        }

        if (options.KeyFile is null && options.Password is null)
        {
            throw new TunnelUsageException("no authentication method: give -i KEYFILE or --password-env VAR");
        }

        if (options.KeyPassphrase is not null && options.KeyFile is null)
        {
            throw new TunnelUsageException("a key passphrase was given without a key file (-i KEYFILE)");
        }

        if (options.KeepAlive < TimeSpan.Zero)
        {
            throw new TunnelUsageException("the keepalive interval cannot be negative");
        }

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _client = new SshClient(BuildConnectionInfo(options));
        _client.HostKeyReceived += OnHostKeyReceived;
        _client.ErrorOccurred += OnErrorOccurred;
        _client.KeepAliveInterval = options.KeepAlive == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : options.KeepAlive;
    }

    /// <summary>Completes with the cause when an established connection drops (server gone, keepalive failed).</summary>
    public Task<Exception> ConnectionLost => _connectionLost.Task;

    /// <summary>The host key verdict of the last connection attempt, once the server has shown its key.</summary>
    public HostKeyVerdict? HostKeyVerdict => _hostKeyVerdict;

    /// <summary>Connects, authenticates and starts every forward; returns the forwards with their bound ports.</summary>
    /// <exception cref="TunnelConnectException">Connecting, host key verification, authentication or a forward failed.</exception>
    public IReadOnlyList<ActiveForward> Start()
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        RaiseThreadPoolMinimum(_logger);
        var destination = _options.Destination;
        Log.Connecting(_logger, destination.Host, destination.Port, destination.User!);
        Connect();
        Log.Connected(_logger, destination.Host, destination.Port, _client.ConnectionInfo.ServerVersion ?? "?", _hostKeyVerdict?.Reason ?? "?");

        var active = new List<ActiveForward>(_options.Forwards.Count);
        foreach (var spec in _options.Forwards)
        {
            var forward = StartForward(spec);
            Log.ForwardStarted(_logger, forward);
            active.Add(forward);
        }

        return active;
    }

    /// <summary>Stops every forward and disconnects; safe to call more than once.</summary>
    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Log.Stopping(_logger, _options.Destination.Host, _options.Destination.Port);
        foreach (var socks in _socks)
        {
            socks.Stop();
        }

        foreach (var port in _ports)
        {
            try
            {
                port.Stop();
            }
            catch (Exception ex) when (ex is SshException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection may already be gone; stopping is best effort.
            }
        }

        if (_client.IsConnected)
        {
            try
            {
                _client.Disconnect();
            }
            catch (Exception ex) when (ex is SshException or SocketException or ObjectDisposedException)
            {
                // Same: the peer may have closed first.
            }
        }
    }

    public void Dispose()
    {
        Stop();
        foreach (var socks in _socks)
        {
            socks.Dispose();
        }

        foreach (var port in _ports)
        {
            port.Dispose();
        }

        _client.Dispose();
    }

    private static void RaiseThreadPoolMinimum(ILogger logger)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < MinPoolThreads || completionPorts < MinPoolThreads)
        {
            workers = Math.Max(workers, MinPoolThreads);
            completionPorts = Math.Max(completionPorts, MinPoolThreads);
            ThreadPool.SetMinThreads(workers, completionPorts);
            Log.ThreadPoolRaised(logger, workers, completionPorts);
        }
    }

    private void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
    {
        var destination = _options.Destination;
        var verdict = _options.HostKeyPolicy.Verify(destination.Host, destination.Port, e.HostKey);
        _hostKeyVerdict = verdict;
        e.CanTrust = verdict.Trusted;
        if (!verdict.Trusted)
        {
            Log.HostKeyRejected(_logger, destination.Host, destination.Port, verdict.Reason);
        }
    }

    private void OnErrorOccurred(object? sender, ExceptionEventArgs e)
    {
        if (!_stopped)
        {
            Log.ConnectionLost(_logger, _options.Destination.Host, _options.Destination.Port, e.Exception.Message);
        }

        _connectionLost.TrySetResult(e.Exception);
    }
}
