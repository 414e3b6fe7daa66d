using Microsoft.Extensions.Logging;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Log events of the SSH tunnel client; ids 3100-3199 belong to this area.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Connecting to {Host}:{Port} as {User}")]
    public static partial void Connecting(ILogger logger, string host, int port, string user);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Connected to {Host}:{Port}, server {ServerVersion}; host key: {HostKeyReason}")]
    public static partial void Connected(ILogger logger, string host, int port, string serverVersion, string hostKeyReason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Host key rejected for {Host}:{Port}: {Reason}")]
    public static partial void HostKeyRejected(ILogger logger, string host, int port, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Forward started: {Forward}")]
    public static partial void ForwardStarted(ILogger logger, ActiveForward forward);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Forward {Spec} opens a channel to {TargetHost}:{TargetPort}")]
    public static partial void ChannelRequested(ILogger logger, ForwardSpec spec, string targetHost, uint targetPort);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Forward {Spec} failed a connection: {Error}")]
    public static partial void ForwardError(ILogger logger, ForwardSpec spec, string error);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Connection to {Host}:{Port} lost: {Error}")]
    public static partial void ConnectionLost(ILogger logger, string host, int port, string error);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "Closing tunnel to {Host}:{Port}")]
    public static partial void Stopping(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Debug, Message = "Thread pool minimum raised to {Workers} workers and {CompletionPorts} I/O threads")]
    public static partial void ThreadPoolRaised(ILogger logger, int workers, int completionPorts);
}
