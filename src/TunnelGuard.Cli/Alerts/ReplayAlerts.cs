using Microsoft.Data.Sqlite;
using TunnelGuard.Alerts;
using TunnelGuard.Cli.Rules;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Cli.Alerts;

/// <summary>
/// The rules and alert sinks of `replay --rules DIR [--alerts-db FILE] [--syslog URL]` (and of the monitor): loads the
/// policy (each mistake on standard error, exit 3), opens the store, and wraps the caller's sink so that each
/// connection's line is followed by its alerts. Syslog gets the alerts through an <see cref="AlertDispatcher"/>, so a
/// slow or dead target never holds up the output or the store.
/// </summary>
internal sealed class ReplayAlerts : IDisposable
{
    // How long Dispose waits for queued alerts to reach syslog before giving up on them (they are in the output and store).
    private static readonly TimeSpan SyslogDrainTimeout = TimeSpan.FromSeconds(10);

    private readonly CliConsole _console;
    private readonly RuleEngine _engine;
    private readonly AlertStore? _store;
    private readonly SyslogTarget? _syslogTarget;
    private readonly string? _sensor;
    private readonly Lock _errorLock = new();
    private AlertingConnectionSink? _sink;
    private SyslogAlertSink? _syslog;
    private AlertDispatcher? _dispatcher;

    private ReplayAlerts(CliConsole console, RuleEngine engine, AlertStore? store, SyslogTarget? syslog, string? sensor)
    {
        _console = console;
        _engine = engine;
        _store = store;
        _syslogTarget = syslog;
        _sensor = sensor;
    }

    /// <summary>The rule engine, for a <see cref="RuleReloader"/> to replace its policy.</summary>
    public RuleEngine Engine => _engine;

    /// <summary>The syslog sink once <see cref="Wrap"/> made it (null without <c>--syslog</c>): its counters.</summary>
    public SyslogAlertSink? Syslog => _syslog;

    /// <summary>The same as <see cref="Create(CliConsole, AlertOutputOptions, out int)"/> without syslog.</summary>
    public static ReplayAlerts? Create(CliConsole console, string? rulesPath, string? alertsDb, out int exitCode) =>
        Create(console, new AlertOutputOptions(rulesPath, alertsDb), out exitCode);

    /// <summary>
    /// Null with exit code 0 when no rules were asked for; null with exit code 2 for --alerts-db or --syslog without
    /// --rules or a malformed --syslog; null with exit code 3 on a bad policy or store.
    /// </summary>
    public static ReplayAlerts? Create(CliConsole console, AlertOutputOptions options, out int exitCode)
    {
        exitCode = ExitCodes.Success;
        var rulesPath = options.RulesPath;
        var alertsDb = options.AlertsDb;
        SyslogTarget? syslog = null;
        if (options.Syslog is { } text && !SyslogTarget.TryParse(text, out syslog))
        {
            console.Error.WriteLine($"tunnelguard: --syslog '{text}': expected {SyslogTarget.Expected}, e.g. udp://127.0.0.1:514 or tcp://siem.example:6514");
            exitCode = ExitCodes.Usage;
            return null;
        }

        if (rulesPath is null)
        {
            if (alertsDb is not null || syslog is not null)
            {
                console.Error.WriteLine($"tunnelguard: {(alertsDb is not null ? "--alerts-db" : "--syslog")} needs --rules DIR");
                exitCode = ExitCodes.Usage;
            }

            return null;
        }

        var loaded = RuleLoader.Load(rulesPath);
        if (!RulesCheckRunner.PrintErrors(console, loaded))
        {
            exitCode = ExitCodes.BadInput;
            return null;
        }

        AlertStore? store = null;
        if (alertsDb is not null)
        {
            try
            {
                store = AlertStore.Open(alertsDb);
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                console.Error.WriteLine($"tunnelguard: {alertsDb}: cannot open the alert store: {ex.Message}");
                exitCode = ExitCodes.BadInput;
                return null;
            }
        }

        return new ReplayAlerts(console, new RuleEngine(loaded.RuleSet!), store, syslog, options.Sensor);
    }

    /// <summary>The sink to replay into: reports go to <paramref name="inner"/>, alerts after them to the output and syslog.</summary>
    public IConnectionSink Wrap(IConnectionSink inner, TextWriter output, bool table, params IAlertSink[] more)
    {
        IAlertSink writer = table ? new AlertLineWriter(output) : new AlertJsonWriter(output);
        List<IAlertSink> sinks = [writer, .. more];
        if (_syslogTarget is not null)
        {
            _syslog = new SyslogAlertSink(_syslogTarget, log: Warn);
            _dispatcher = new AlertDispatcher(null, [_syslog], (_, _, ex) => Warn($"syslog {_syslogTarget}: {ex.Message}"));
            sinks.Add(_dispatcher);
        }

        _sink = new AlertingConnectionSink(inner, _engine, _store, sinks, _sensor);
        return _sink;
    }

    /// <summary>The alerting sink made by <see cref="Wrap"/>, for a monitor to evaluate verdict changes and take blocks from.</summary>
    public AlertingConnectionSink? Sink => _sink;

    public void Dispose()
    {
        if (_dispatcher is not null && _syslog is not null)
        {
            var drained = _dispatcher.DisposeAsync().AsTask().Wait(SyslogDrainTimeout);
            var unsent = drained ? (_syslog.TryFlush() ? 0 : _syslog.Pending) + _syslog.Dropped + _dispatcher.Dropped : -1;
            if (unsent != 0 || _console.ErrorIsTerminal)
            {
                var lost = unsent < 0 ? $"still sending after {SyslogDrainTimeout.TotalSeconds:0} s, the rest given up" : $"{unsent} not sent";
                Warn($"syslog {_syslogTarget}: {_syslog.Sent} alert(s) sent, {lost} (every alert is in the output{(_store is null ? string.Empty : " and the store")})");
            }

            if (drained)
            {
                _syslog.Dispose();
            }
        }

        if (_sink is not null && _console.ErrorIsTerminal)
        {
            var stored = _store is null ? string.Empty : $", stored in {_store.Path} ({_sink.AlreadyStored} already there)";
            _console.Error.WriteLine($"raised {_sink.Raised} alert(s){stored}");
        }

        _store?.Dispose();
    }

    private void Warn(string message)
    {
        // The dispatcher's worker and the pipeline's thread both write here.
        lock (_errorLock)
        {
            _console.Error.WriteLine($"tunnelguard: {message}");
        }
    }
}
