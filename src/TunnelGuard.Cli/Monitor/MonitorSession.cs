using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Prometheus;
using TunnelGuard.Capture;
using TunnelGuard.Cli.Alerts;
using TunnelGuard.Cli.Classify;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Enforcement;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;
using TunnelGuard.Telemetry;

namespace TunnelGuard.Cli.Monitor;

/// <summary>
/// One run of the monitor with everything it opened: output, policy and its reloader, alert and block store,
/// enforcer, capture, pipeline and metrics endpoint. <see cref="TryOpen"/> opens them in order and reports the first
/// thing that cannot be opened in one line; <see cref="RunAsync"/> re-applies stored blocks, captures until stopped,
/// then drains the queue, reports every open connection and flushes.
/// </summary>
internal sealed class MonitorSession : IAsyncDisposable
{
    private readonly MonitorSettings _settings;
    private readonly ILogger _log;
    private readonly List<IDisposable> _owned = [];
    private readonly TunnelGuardMetrics _metrics = new();
    private Enforcer? _enforcer;
    private LiveCapture? _capture;
    private PacketPipeline? _pipeline;
    private TunnelGuard.Alerts.AlertingConnectionSink? _alerting;
    private TunnelGuard.Alerts.SyslogAlertSink? _syslog;

    private MonitorSession(MonitorSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
    }

    public CollectorRegistry Registry => _metrics.Registry;

    /// <summary>True when the run ended because of an error rather than a stop request.</summary>
    public bool Failed { get; private set; }

    /// <summary>Opens the session, or returns null after saying on standard error what is wrong.</summary>
    public static MonitorSession? TryOpen(MonitorSettings settings, CliConsole console, ILoggerFactory logging)
    {
        var session = new MonitorSession(settings, logging.CreateLogger("TunnelGuard.Monitor"));
        try
        {
            if (session.Open(console, logging))
            {
                return session;
            }
        }
        catch (Exception ex) when (ex is FirewallException or SqliteException or IOException or UnauthorizedAccessException or LiveCaptureException or ArgumentException)
        {
            console.Error.WriteLine($"tunnelguard: {ex.Message}");
        }

        session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return null;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await RunCoreAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed = true;
            _log.LogCritical("monitor failed: {Error}", ex.Message);
        }
    }

    private async Task RunCoreAsync(CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        if (_settings.DurationSeconds is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        if (_enforcer is { } enforcer)
        {
            var restored = await enforcer.RestoreAsync(stop.Token).ConfigureAwait(false);
            _log.LogInformation("enforcement on ({Firewall}); {Count} stored block(s) re-applied", enforcer.FirewallName, restored);
        }

        var maintenance = MaintainAsync(stop.Token);

        var capture = _capture!;
        var pipeline = _pipeline!;
        _log.LogInformation("listening on {Interfaces} (filter '{Filter}')", string.Join(", ", _settings.Interfaces), _settings.Filter);
        await LivePipelineRunner.RunAsync(capture, pipeline, TimeProvider.System, stop.Token).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await maintenance.ConfigureAwait(false);
        if (_alerting is { } alerting)
        {
            await alerting.StopBackgroundAsync().ConfigureAwait(false);
        }

        LogUnstored();
        LogStopped(capture.Statistics(), pipeline.Counters.Packets);
    }

    /// <summary>
    /// The stop line: what libpcap counted and where each frame it handed over went. Received counts the outgoing copy
    /// of every frame on a loopback device too, which libpcap never hands over: on lo it is about twice the rest.
    /// </summary>
    private void LogStopped(LiveCaptureStatistics stats, long analysed)
    {
        _log.LogInformation(
            "stopped: {Packets} packets analysed; libpcap received {Received}, dropped {KernelDropped} in the kernel (ring full) and {InterfaceDropped} in the interface, handed over {HandedOver}, kept back {NotHandedOver} (outgoing copies on loopback, frames from before the filter); of those handed over, {QueueDropped} dropped by a full queue, {LeftAtStop} left at stop",
            analysed, stats.Received, stats.KernelDropped, stats.InterfaceDropped, stats.HandedOver, stats.NotHandedOver, stats.QueueDropped, stats.LeftAtStop);
        var unaccounted = stats.HandedOver - stats.QueueDropped - stats.LeftAtStop - analysed;
        if (unaccounted != 0)
        {
            _log.LogError("{Count} frame(s) handed over by libpcap were neither analysed nor counted as dropped", unaccounted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _capture?.Dispose();
        _capture = null;
        if (_enforcer is not null)
        {
            await _enforcer.DisposeAsync().ConfigureAwait(false);
            _enforcer = null;
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }

    private bool Open(CliConsole console, ILoggerFactory logging)
    {
        var settings = _settings;
        if (!ClassifierLoader.TryLoad(settings.Model, settings.Heuristics, console, out var classifier))
        {
            return false;
        }

        StreamWriter? file = null;
        if (settings.Output is { } path)
        {
            try
            {
                file = new StreamWriter(path, append: true, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                console.Error.WriteLine($"tunnelguard: {path}: cannot write: {ex.Message}");
                return false;
            }

            _owned.Add(file);
        }

        // Connection reports come from the pipeline thread, alerts from the alert worker: one line per call, under a lock.
        var output = TextWriter.Synchronized((TextWriter?)file ?? console.Out);
        var table = settings.Format == "table" || (settings.Format is null && file is null && console.OutIsTerminal);
        IConnectionSink sink;
        if (table)
        {
            sink = new ConnectionTableWriter(output);
        }
        else
        {
            var json = new ConnectionJsonWriter(output);
            _owned.Add(json);
            sink = json;
        }

        var alerts = ReplayAlerts.Create(console, new AlertOutputOptions(settings.Rules, settings.Rules is null ? null : settings.Database, settings.Syslog), out var alertsCode);
        if (alertsCode != ExitCodes.Success)
        {
            return false;
        }

        if (alerts is not null)
        {
            _owned.Add(alerts);
            sink = alerts.Wrap(sink, output, table, _metrics);
        }

        if ((settings.Enforce || settings.DryRun) && !OpenEnforcer(logging))
        {
            return false;
        }

        var sensor = string.Join(",", settings.Interfaces);
        _pipeline = new PacketPipeline(settings.FlowTable, new FlushingSink(sink, output, _metrics), settings.AllFlows, sensor, classifier);
        _pipeline.VerdictChanged = LogVerdict;
        if (alerts?.Sink is { } alerting)
        {
            // Rules run on every verdict change of an open connection, so a tunnel is blocked while it is in use.
            _pipeline.VerdictChanged = report =>
            {
                LogVerdict(report);
                alerting.Evaluate(report);
            };
            if (_enforcer is { } enforcer)
            {
                alerting.BlockDecided = enforcer.Request;
            }

            alerting.StoreProblem = (failing, message) =>
            {
                if (failing)
                {
                    _log.LogError("{Problem}", message);
                }
                else
                {
                    _log.LogWarning("{Problem}", message);
                }
            };
            _alerting = alerting;
            _metrics.Observe(alerting);
            alerting.StartBackground();
            if (alerts.Syslog is { } syslog)
            {
                _syslog = syslog;
                _metrics.Observe(syslog);
            }

            if (settings.RulesReloadSeconds > 0)
            {
                var reloader = new RuleReloader(settings.Rules!, alerts.Engine, OnPolicyChange, TimeProvider.System, TimeSpan.FromSeconds(settings.RulesReloadSeconds));
                _owned.Add(reloader);
                _metrics.Observe(reloader);
            }
        }

        if (_enforcer is not null)
        {
            _metrics.Observe(_enforcer);
        }

        _capture = LiveCapture.Start(new LiveCaptureOptions
        {
            Interfaces = settings.Interfaces,
            Filter = settings.Filter,
            BlockTimeoutMilliseconds = settings.CaptureBlockTimeoutMilliseconds,
        });
        _capture.InterfaceLost = (name, reason) =>
            _log.LogError("capture on {Interface} stopped: {Reason}; trying to open it again every second", name, reason);
        _capture.InterfaceRestored = name => _log.LogWarning("capturing on {Interface} again", name);
        _metrics.Observe(_pipeline, _capture);
        return ServeMetrics(console);
    }

    private bool OpenEnforcer(ILoggerFactory logging)
    {
        var settings = _settings;
        var firewall = FirewallFactory.Create(settings.DryRun ? "dry-run" : settings.Firewall);
        var guard = new BlockGuard(settings.Enforcement);

        // A dry run records nothing: its blocks never happened, and must not be re-applied by a later --enforce.
        BlockStore? store = null;
        if (!settings.DryRun)
        {
            store = BlockStore.Open(settings.Database);
            _owned.Add(store);
        }

        // Fail at start, not at the first block, when the firewall cannot be changed (missing tool, no CAP_NET_ADMIN).
        firewall.EnsureReadyAsync(CancellationToken.None).GetAwaiter().GetResult();
        _enforcer = new Enforcer(firewall, guard, store, TimeProvider.System, logging.CreateLogger<Enforcer>());
        return true;
    }

    private bool ServeMetrics(CliConsole console)
    {
        if (_settings.Metrics == "off")
        {
            return true;
        }

        MonitorSettings.TryParseEndpoint(_settings.Metrics, out var host, out var port);
        try
        {
            _owned.Add(_metrics.Serve(host, port));
            _log.LogInformation("metrics on http://{Endpoint}/metrics", _settings.Metrics);
            return true;
        }
        catch (Exception ex) when (ex is System.Net.HttpListenerException or InvalidOperationException)
        {
            console.Error.WriteLine($"tunnelguard: cannot serve metrics on {_settings.Metrics}: {ex.Message}");
            return false;
        }
    }

    private void LogVerdict(ConnectionReport report) =>
        _log.LogInformation(
            "verdict {Label} ({Confidence:0.00}) for {Client} -> {Server} after {Seconds:0.0}s",
            report.Verdict.Label, report.Verdict.Confidence, report.Client, report.Server, report.Verdict.DecidedAfterSeconds ?? 0);

    private void OnPolicyChange(RuleLoadResult result)
    {
        if (result.RuleSet is { } rules)
        {
            _log.LogWarning("policy reloaded from {Path}: {Count} rule(s) in force", _settings.Rules, rules.Rules.Count);
            return;
        }

        _log.LogError("policy in {Path} is broken, the last good policy stays in force: {Errors}", _settings.Rules, string.Join("; ", result.Errors));
    }

    /// <summary>Once a second: ends blocks that ran out, retries failed blocks and alerts that wait for the store.</summary>
    private async Task MaintainAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var failing = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                // One failing step must not end the loop: the others (alerts waiting for the store above all) go on.
                try
                {
                    if (_enforcer is { } enforcer)
                    {
                        await enforcer.ExpireDueAsync(stopping).ConfigureAwait(false);
                    }

                    _alerting?.RetryUnstored();
                    _syslog?.Retry();
                    failing = false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (!failing)
                    {
                        _log.LogError("maintenance (block expiry, alert and syslog retries) failed: {Error}; trying again every second", $"{ex.GetType().Name}: {ex.Message}");
                        failing = true;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>At the end, alerts the store never took go to the log as JSON lines, so none is lost.</summary>
    private void LogUnstored()
    {
        if (_alerting is not { } alerting || alerting.RetryUnstored() == 0)
        {
            return;
        }

        var left = alerting.TakeUnstored();
        _log.LogCritical("{Count} alert(s) could not be written to the alert store; they follow as JSON lines", left.Count);
        foreach (var alert in left)
        {
            _log.LogCritical("unstored alert {Json}", TunnelGuard.Alerts.AlertJsonWriter.ToJson(alert));
        }
    }

    /// <summary>Flushes after every report, so a live consumer sees each connection as it ends, and counts it.</summary>
    private sealed class FlushingSink(IConnectionSink inner, TextWriter output, TunnelGuardMetrics metrics) : IConnectionSink
    {
        public void OnConnection(ConnectionReport report)
        {
            inner.OnConnection(report);
            output.Flush();
            metrics.OnConnection(report);
        }
    }
}
