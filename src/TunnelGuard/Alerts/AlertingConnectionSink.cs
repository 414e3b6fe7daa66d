using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Alerts;

/// <summary>
/// Passes each connection report on, then runs it through the rule engine and raises an alert for each rule that
/// alerts: committed to the store first (when there is one), then handed to the other sinks, so nothing is reported as
/// raised before it is on disk.
/// </summary>
public sealed class AlertingConnectionSink : IConnectionSink
{
    private readonly IConnectionSink? _inner;
    private readonly RuleEngine _engine;
    private readonly AlertStore? _store;
    private readonly IReadOnlyList<IAlertSink> _sinks;
    private readonly string? _sensor;

    // Alerts raised on a still-open connection (a monitor's verdict change), by connection, so that the verdict
    // changes that follow reach the stored timeline when the connection ends. Emptied as connections end.
    private readonly Dictionary<(string CommunityId, long FirstSeenMicros), List<string>> _openAlerts = [];

    public AlertingConnectionSink(IConnectionSink? inner, RuleEngine engine, AlertStore? store, IReadOnlyList<IAlertSink> sinks, string? sensor = null)
    {
        _inner = inner;
        _engine = engine;
        _store = store;
        _sinks = sinks;
        _sensor = sensor;
    }

    /// <summary>Alerts raised so far.</summary>
    public int Raised { get; private set; }

    /// <summary>Alerts whose id was already in the store (the same capture replayed again).</summary>
    public int AlreadyStored { get; private set; }

    /// <summary>
    /// Told of every block a rule decides, with the rule's id and the packet time of the decision; answers whether the
    /// block is (or already was) in force, which the alert then says.
    /// </summary>
    public Func<BlockDecision, string, long, bool>? BlockDecided { get; set; }

    public void OnConnection(ConnectionReport report)
    {
        _inner?.OnConnection(report);
        Evaluate(report);
        if (!report.Ongoing && _store is not null && _openAlerts.Remove((report.CommunityId, report.FirstSeenMicros), out var ids))
        {
            foreach (var id in ids)
            {
                _store.AddVerdictChanges(id, report.VerdictChanges);
            }
        }
    }

    /// <summary>Runs the policy on a report (also a provisional one) and raises its alerts, without passing it on.</summary>
    public void Evaluate(ConnectionReport report)
    {
        var evaluation = _engine.Evaluate(report);
        HashSet<string>? enforced = null;
        foreach (var hit in evaluation.Hits)
        {
            if (hit.Block is { } block && BlockDecided?.Invoke(block, hit.Rule.Id, evaluation.DecisionMicros) == true)
            {
                (enforced ??= []).Add(hit.Rule.Id);
            }
        }

        foreach (var hit in evaluation.Hits)
        {
            if (!hit.RaisesAlert)
            {
                continue;
            }

            var alert = AlertFactory.Create(hit, report, evaluation.DecisionMicros, _sensor, enforced?.Contains(hit.Rule.Id) == true);
            if (_store is not null && !_store.TryAdd(alert))
            {
                AlreadyStored++;
            }

            Raised++;
            if (report.Ongoing && _store is not null)
            {
                var key = (report.CommunityId, report.FirstSeenMicros);
                if (!_openAlerts.TryGetValue(key, out var ids))
                {
                    _openAlerts[key] = ids = [];
                }

                ids.Add(alert.Id);
            }

            foreach (var sink in _sinks)
            {
                sink.OnAlert(alert);
            }
        }
    }
}
