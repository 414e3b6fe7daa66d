using System.Runtime.InteropServices;
using TunnelGuard.Capture;
using TunnelGuard.Cli.Alerts;
using TunnelGuard.Cli.Classify;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Enforcement;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;
using TunnelGuard.Telemetry;

namespace TunnelGuard.Cli.Monitor;

/// <summary>
/// Watches live interfaces and reports each SSH connection when it ends. Ctrl+C, SIGTERM or the end of --duration
/// stop the capture; what was queued is analysed and every open connection is reported before the process exits.
/// </summary>
internal sealed class MonitorRunner
{
    private readonly CliConsole _console;

    public MonitorRunner(CliConsole console) => _console = console;

    public int Run(MonitorOptions options)
    {
        using var stop = new CancellationTokenSource();
        if (options.DurationSeconds is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

        if (!ClassifierLoader.TryLoad(options.ModelFile, options.HeuristicsOnly, _console, out var classifier))
        {
            return ExitCodes.BadInput;
        }

        StreamWriter? file = null;
        try
        {
            file = options.OutputFile is null ? null : new StreamWriter(options.OutputFile, append: true, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            _console.Error.WriteLine($"tunnelguard: {options.OutputFile}: cannot write: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var output = (TextWriter?)file ?? _console.Out;
        var table = options.Format == "table" || (options.Format is null && file is null && _console.OutIsTerminal);
        using var json = table ? null : new ConnectionJsonWriter(output);
        IConnectionSink sink = (IConnectionSink?)json ?? new ConnectionTableWriter(output);
        using var alerts = ReplayAlerts.Create(_console, options.RulesPath, options.AlertsDb, out var alertsCode);
        if (alertsCode != ExitCodes.Success)
        {
            file?.Dispose();
            return alertsCode;
        }

        sink = alerts?.Wrap(sink, output, table) ?? sink;
        if (!TryCreateEnforcer(options, out var enforcer))
        {
            file?.Dispose();
            return ExitCodes.BadInput;
        }

        var metrics = new TunnelGuardMetrics();
        var pipeline = new PacketPipeline(new FlowTableOptions(), new FlushingSink(sink, output, metrics), options.AllFlows, string.Join(",", options.Interfaces), classifier);
        if (alerts?.Sink is { } alerting)
        {
            // Rules run on every verdict change of an open connection, so a tunnel is blocked while it is in use.
            pipeline.VerdictChanged = alerting.Evaluate;
            if (enforcer is not null)
            {
                alerting.BlockDecided = enforcer.Request;
            }
        }
        LiveCapture capture;
        try
        {
            capture = LiveCapture.Start(new LiveCaptureOptions { Interfaces = options.Interfaces, Filter = options.Filter });
        }
        catch (LiveCaptureException ex)
        {
            _console.Error.WriteLine($"tunnelguard: {ex.Message}");
            file?.Dispose();
            return ExitCodes.BadInput;
        }

        metrics.Observe(pipeline, capture);
        if (!TryServeMetrics(options.Metrics, metrics, out var server))
        {
            capture.Dispose();
            file?.Dispose();
            return ExitCodes.BadInput;
        }

        using (server)
        using (capture)
        {
            _console.Error.WriteLine($"tunnelguard: listening on {string.Join(", ", options.Interfaces)} (filter '{options.Filter}')");
            LivePipelineRunner.RunAsync(capture, pipeline, TimeProvider.System, stop.Token).GetAwaiter().GetResult();
            var stats = capture.Statistics();
            _console.Error.WriteLine(
                $"tunnelguard: stopped: {pipeline.Counters.Packets} packets analysed, {stats.Received} received by libpcap, " +
                $"{stats.KernelDropped} dropped by the kernel, {stats.QueueDropped} dropped by a full queue");
        }

        if (enforcer is not null)
        {
            enforcer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        file?.Dispose();
        return ExitCodes.Success;

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private bool TryCreateEnforcer(MonitorOptions options, out Enforcer? enforcer)
    {
        enforcer = null;
        if (!options.Enforce && !options.DryRun)
        {
            return true;
        }

        if (options.RulesPath is null)
        {
            _console.Error.WriteLine("tunnelguard: --enforce and --dry-run need --rules DIR (the policy decides what to block)");
            return false;
        }

        try
        {
            var firewall = FirewallFactory.Create(options.DryRun ? "dry-run" : options.Firewall);
            var guard = new BlockGuard(new EnforcementOptions { IgnoreNetworks = options.IgnoreNetworks });
            enforcer = new Enforcer(firewall, guard, _console.Error);
            _console.Error.WriteLine($"tunnelguard: enforcement on ({firewall.Name})");
            return true;
        }
        catch (Exception ex) when (ex is FirewallException or ArgumentException or System.ComponentModel.DataAnnotations.ValidationException)
        {
            _console.Error.WriteLine($"tunnelguard: {ex.Message}");
            return false;
        }
    }

    private bool TryServeMetrics(string? endpoint, TunnelGuardMetrics metrics, out IDisposable? server)
    {
        server = null;
        if (endpoint is null or "off")
        {
            return true;
        }

        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            _console.Error.WriteLine($"tunnelguard: --metrics '{endpoint}': expected HOST:PORT, e.g. 127.0.0.1:9464, or 'off'");
            return false;
        }

        var host = endpoint[..colon].Trim('[', ']');
        try
        {
            server = metrics.Serve(host, port);
            _console.Error.WriteLine($"tunnelguard: metrics on http://{endpoint}/metrics");
            return true;
        }
        catch (Exception ex) when (ex is System.Net.HttpListenerException or InvalidOperationException)
        {
            _console.Error.WriteLine($"tunnelguard: cannot serve metrics on {endpoint}: {ex.Message}");
            return false;
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
