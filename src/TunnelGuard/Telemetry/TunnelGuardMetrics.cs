using Prometheus;
using TunnelGuard.Alerts;
using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Enforcement;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Telemetry;

/// <summary>
/// The Prometheus metrics, all named tunnelguard_*, with low-cardinality labels only (verdict, rule, severity, where a
/// packet was dropped; never an address). The per-packet path keeps plain counters; they are copied into the metrics
/// just before each scrape, so capture never pays for a metric update.
/// </summary>
public sealed class TunnelGuardMetrics : IAlertSink
{
    private static readonly double[] LatencyBuckets = [0.5, 1, 2, 3, 5, 8, 12, 20, 30, 60, 120];

    private readonly CollectorRegistry _registry;
    private readonly Counter _packets;
    private readonly Counter _bytes;
    private readonly Counter _drops;
    private readonly Counter _received;
    private readonly Counter _handedOver;
    private readonly Gauge _activeFlows;
    private readonly Counter _evictions;
    private readonly Counter _sshConnections;
    private readonly Histogram _verdictLatency;
    private readonly Counter _alerts;
    private readonly Gauge _blocksActive;
    private readonly Counter _blocksAdded;
    private readonly Counter _blocksExpired;
    private readonly Counter _blocksReapplied;
    private readonly Counter _blocksRefused;
    private readonly Counter _firewallErrors;
    private readonly Counter _blockStoreFailures;
    private readonly Counter _ruleReloads;
    private readonly Counter _interfaceLosses;
    private readonly Gauge _interfacesDown;
    private readonly Counter _syslogSent;
    private readonly Counter _syslogFailures;
    private readonly Counter _syslogDropped;
    private readonly Gauge _syslogPending;
    private readonly Counter _alertsDropped;
    private readonly Counter _storeFailures;
    private readonly Gauge _unstored;
    private readonly Dictionary<string, Counter.Child> _byVerdict = [];
    private readonly Dictionary<string, Histogram.Child> _latencyByVerdict = [];
    private Func<PipelineCounters>? _pipeline;
    private Func<int>? _flows;
    private Func<long>? _evicted;
    private Func<LiveCaptureStatistics>? _capture;
    private LiveCapture? _live;
    private Enforcer? _enforcer;
    private RuleReloader? _reloader;
    private AlertingConnectionSink? _alerting;
    private SyslogAlertSink? _syslog;

    public TunnelGuardMetrics(CollectorRegistry? registry = null)
    {
        _registry = registry ?? Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(_registry);
        _packets = factory.CreateCounter("tunnelguard_packets_total", "Packets analysed.");
        _bytes = factory.CreateCounter("tunnelguard_bytes_total", "Bytes of the packets analysed, as on the wire.");
        _drops = factory.CreateCounter("tunnelguard_capture_drops_total", "Packets lost before analysis: kernel (libpcap's ring full), interface, queue (ours full), stop (handed over after capture stopped).", "where");
        _received = factory.CreateCounter("tunnelguard_capture_received_total", "Frames that passed the kernel filter, as libpcap counts them (on loopback each frame twice: libpcap keeps the outgoing copy back).");
        _handedOver = factory.CreateCounter("tunnelguard_capture_handed_over_total", "Frames libpcap handed over; each is analysed or counted in tunnelguard_capture_drops_total{where=\"queue\"|\"stop\"}.");
        _activeFlows = factory.CreateGauge("tunnelguard_flows_active", "TCP flows in the flow table.");
        _evictions = factory.CreateCounter("tunnelguard_flow_evictions_total", "Flows evicted because the table was full.");
        _sshConnections = factory.CreateCounter("tunnelguard_ssh_connections_total", "SSH connections that ended, by final verdict.", "verdict");
        _verdictLatency = factory.CreateHistogram(
            "tunnelguard_verdict_latency_seconds",
            "Seconds of encrypted traffic until a connection's final verdict was first reached.",
            new HistogramConfiguration { Buckets = LatencyBuckets, LabelNames = ["verdict"] });
        _alerts = factory.CreateCounter("tunnelguard_alerts_total", "Alerts raised, by rule and severity.", "rule", "severity");
        _blocksActive = factory.CreateGauge("tunnelguard_blocks_active", "Blocks in force in the host firewall.");
        _blocksAdded = factory.CreateCounter("tunnelguard_blocks_added_total", "Blocks put into the host firewall.");
        _blocksExpired = factory.CreateCounter("tunnelguard_blocks_expired_total", "Blocks that ran out and were ended.");
        _blocksReapplied = factory.CreateCounter("tunnelguard_blocks_reapplied_total", "Stored blocks put back into the firewall at start.");
        _blocksRefused = factory.CreateCounter("tunnelguard_blocks_refused_total", "Blocks the safety guard refused (ignore list, own address, rate cap).");
        _firewallErrors = factory.CreateCounter("tunnelguard_firewall_errors_total", "Firewall commands that failed, and blocks lost to a full queue.");
        _blockStoreFailures = factory.CreateCounter("tunnelguard_block_store_failures_total", "Block store calls that failed (disk full, read-only, ...): block and audit records missing while it fails.");
        _ruleReloads = factory.CreateCounter("tunnelguard_rule_reloads_total", "Policy reloads after a change, by result.", "result");
        _interfaceLosses = factory.CreateCounter("tunnelguard_capture_interface_losses_total", "Times a capture interface went away (deleted or down) while capturing.");
        _interfacesDown = factory.CreateGauge("tunnelguard_capture_interfaces_down", "Capture interfaces that went away and are not back yet.");
        _syslogSent = factory.CreateCounter("tunnelguard_syslog_sent_total", "Alerts sent to the syslog target.");
        _syslogFailures = factory.CreateCounter("tunnelguard_syslog_failures_total", "Failed attempts to reach the syslog target.");
        _syslogDropped = factory.CreateCounter("tunnelguard_syslog_dropped_total", "Alerts that never reached syslog (UDP refused, or the TCP backlog overflowed).");
        _syslogPending = factory.CreateGauge("tunnelguard_syslog_pending", "Alerts waiting for the syslog target to come back (TCP).");
        _alertsDropped = factory.CreateCounter("tunnelguard_alerts_dropped_total", "Alerts lost: the alert queue was full, or more alerts waited for a failing store than it keeps.");
        _storeFailures = factory.CreateCounter("tunnelguard_alert_store_failures_total", "Writes to the alert store that failed (disk full, read-only, ...).");
        _unstored = factory.CreateGauge("tunnelguard_alerts_unstored", "Alerts raised but waiting in memory for a failing alert store.");
        foreach (var label in Labels.Classes.Append(Labels.Unknown))
        {
            _byVerdict[label] = _sshConnections.WithLabels(label);
            _latencyByVerdict[label] = _verdictLatency.WithLabels(label);
        }

        _registry.AddBeforeCollectCallback(Refresh);
    }

    public CollectorRegistry Registry => _registry;

    /// <summary>Where the pipeline's own counters are read from at scrape time.</summary>
    public void Observe(PacketPipeline pipeline, LiveCapture? capture = null)
    {
        _pipeline = () => pipeline.Counters;
        _flows = () => pipeline.Flows.Count;
        _evicted = () => pipeline.Flows.FlowsEvicted;
        _capture = capture is null ? null : capture.Statistics;
        _live = capture;
    }

    /// <summary>Where the enforcement counters are read from at scrape time.</summary>
    public void Observe(Enforcer enforcer) => _enforcer = enforcer;

    /// <summary>Where the alert store's failure counters are read from at scrape time.</summary>
    public void Observe(AlertingConnectionSink alerting) => _alerting = alerting;

    /// <summary>Where the syslog sink's counters are read from at scrape time.</summary>
    public void Observe(SyslogAlertSink syslog) => _syslog = syslog;

    /// <summary>Where the policy reload counters are read from at scrape time.</summary>
    public void Observe(RuleReloader reloader) => _reloader = reloader;

    /// <summary>Counts a raised alert by its rule and severity (rules are few, so the label stays low-cardinality).</summary>
    public void OnAlert(Alert alert) => _alerts.WithLabels(alert.RuleId, AlertSeverities.Name(alert.Severity)).Inc();

    /// <summary>Counts an ended connection by its verdict; called once per connection, never per packet.</summary>
    public void OnConnection(ConnectionReport report)
    {
        if (!report.IsSsh)
        {
            return;
        }

        var label = _byVerdict.ContainsKey(report.Verdict.Label) ? report.Verdict.Label : Labels.Unknown;
        _byVerdict[label].Inc();
        if (report.Verdict.DecidedAfterSeconds is { } seconds)
        {
            _latencyByVerdict[label].Observe(seconds);
        }
    }

    /// <summary>Serves /metrics over HTTP on the given host and port (loopback by default).</summary>
    public MetricServer Serve(string host = "127.0.0.1", int port = 9464)
    {
        var server = new MetricServer(host, port, registry: _registry);
        server.Start();
        return server;
    }

    private void Refresh()
    {
        if (_pipeline?.Invoke() is { } counters)
        {
            _packets.IncTo(counters.Packets);
            _bytes.IncTo(counters.Bytes);
        }

        if (_flows is not null)
        {
            _activeFlows.Set(_flows());
        }

        if (_evicted is not null)
        {
            _evictions.IncTo(_evicted());
        }

        if (_enforcer is { } enforcer)
        {
            _blocksActive.Set(enforcer.Active);
            _blocksAdded.IncTo(enforcer.Applied);
            _blocksExpired.IncTo(enforcer.Expired);
            _blocksReapplied.IncTo(enforcer.Reapplied);
            _blocksRefused.IncTo(enforcer.Refused);
            _firewallErrors.IncTo(enforcer.Failures);
            _blockStoreFailures.IncTo(enforcer.StoreFailures);
        }

        if (_live is { } live)
        {
            _interfaceLosses.IncTo(live.InterfaceLosses);
            _interfacesDown.Set(live.InterfacesDown);
        }

        if (_syslog is { } syslog)
        {
            _syslogSent.IncTo(syslog.Sent);
            _syslogFailures.IncTo(syslog.Failures);
            _syslogDropped.IncTo(syslog.Dropped);
            _syslogPending.Set(syslog.Pending);
        }

        if (_alerting is { } alerting)
        {
            _storeFailures.IncTo(alerting.StoreFailures);
            _alertsDropped.IncTo(alerting.BackgroundDropped + alerting.UnstoredDropped);
            _unstored.Set(alerting.Unstored);
        }

        if (_reloader is { } reloader)
        {
            _ruleReloads.WithLabels("ok").IncTo(reloader.Reloads);
            _ruleReloads.WithLabels("rejected").IncTo(reloader.Rejected);
        }

        if (_capture?.Invoke() is { } stats)
        {
            _drops.WithLabels("kernel").IncTo(stats.KernelDropped);
            _drops.WithLabels("interface").IncTo(stats.InterfaceDropped);
            _drops.WithLabels("queue").IncTo(stats.QueueDropped);
            _drops.WithLabels("stop").IncTo(stats.LeftAtStop);
            _received.IncTo(stats.Received);
            _handedOver.IncTo(stats.HandedOver);
        }
    }
}
