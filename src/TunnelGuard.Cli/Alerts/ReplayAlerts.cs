using Microsoft.Data.Sqlite;
using TunnelGuard.Alerts;
using TunnelGuard.Cli.Rules;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Cli.Alerts;

/// <summary>
/// The rules and alert sinks of `replay --rules DIR [--alerts-db FILE]`: loads the policy (each mistake on standard
/// error, exit 3), opens the store, and wraps the replay's sink so that each connection's line is followed by its alerts.
/// </summary>
internal sealed class ReplayAlerts : IDisposable
{
    private readonly CliConsole _console;
    private readonly RuleEngine _engine;
    private readonly AlertStore? _store;
    private AlertingConnectionSink? _sink;

    private ReplayAlerts(CliConsole console, RuleEngine engine, AlertStore? store)
    {
        _console = console;
        _engine = engine;
        _store = store;
    }

    /// <summary>Null with exit code 0 when no rules were asked for; null with exit code 3 on a bad policy or store.</summary>
    public static ReplayAlerts? Create(CliConsole console, string? rulesPath, string? alertsDb, out int exitCode)
    {
        exitCode = ExitCodes.Success;
        if (rulesPath is null)
        {
            if (alertsDb is not null)
            {
                console.Error.WriteLine("tunnelguard: --alerts-db needs --rules DIR");
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

        return new ReplayAlerts(console, new RuleEngine(loaded.RuleSet!), store);
    }

    /// <summary>The sink to replay into: reports go to <paramref name="inner"/>, alerts after them to the output.</summary>
    public IConnectionSink Wrap(IConnectionSink inner, TextWriter output, bool table, params IAlertSink[] more)
    {
        IAlertSink writer = table ? new AlertLineWriter(output) : new AlertJsonWriter(output);
        _sink = new AlertingConnectionSink(inner, _engine, _store, [writer, .. more]);
        return _sink;
    }

    /// <summary>The engine the policy runs in; a monitor's reloader swaps its rules.</summary>
    public RuleEngine Engine => _engine;

    /// <summary>The alerting sink made by <see cref="Wrap"/>, for a monitor to evaluate verdict changes and take blocks from.</summary>
    public AlertingConnectionSink? Sink => _sink;

    public void Dispose()
    {
        if (_sink is not null && _console.ErrorIsTerminal)
        {
            var stored = _store is null ? string.Empty : $", stored in {_store.Path} ({_sink.AlreadyStored} already there)";
            _console.Error.WriteLine($"raised {_sink.Raised} alert(s){stored}");
        }

        _store?.Dispose();
    }
}
