using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace TunnelGuard.Cli.Monitor;

/// <summary>
/// `tunnelguard monitor` as a Microsoft.Extensions.Hosting service: settings from appsettings.json, environment and
/// flags, validated before anything starts; log lines on standard error (journald format under systemd, with
/// READY=1/STOPPING=1 notifications); SIGINT, SIGTERM or the end of --duration stop capture, and the session drains,
/// reports every open connection and flushes before the process exits.
/// </summary>
internal sealed class MonitorRunner
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);

    private readonly CliConsole _console;

    public MonitorRunner(CliConsole console) => _console = console;

    public int Run(string? configFile, Action<MonitorSettings> flags)
    {
        var settings = MonitorConfiguration.Load(configFile, flags, out var configuration, out var errors);
        if (settings is null)
        {
            foreach (var error in errors)
            {
                _console.Error.WriteLine($"tunnelguard: {error}");
            }

            return ExitCodes.BadInput;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "tunnelguard" });
        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSystemd();

        MonitorSession? session = null;
        builder.Services.AddHostedService(services => new MonitorService(session!, services.GetRequiredService<IHostApplicationLifetime>()));
        using var host = builder.Build();
        session = MonitorSession.TryOpen(settings, _console, host.Services.GetRequiredService<ILoggerFactory>());
        if (session is null)
        {
            return ExitCodes.BadInput;
        }

        try
        {
            host.Run();
        }
        finally
        {
            session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return session.Failed ? ExitCodes.Failure : ExitCodes.Success;
    }
}
