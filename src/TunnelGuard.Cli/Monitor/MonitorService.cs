using Microsoft.Extensions.Hosting;

namespace TunnelGuard.Cli.Monitor;

/// <summary>Runs the monitor session as the host's one service; when capture ends (e.g. --duration), the host stops.</summary>
internal sealed class MonitorService(MonitorSession session, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await session.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
