using System.Globalization;
using TunnelGuard.Capture;
using TunnelGuard.Enforcement;
using TunnelGuard.Flows;

namespace TunnelGuard.Cli.Monitor;

/// <summary>
/// Everything `tunnelguard monitor` can be told, bound from the "Monitor" section of appsettings.json, then
/// environment variables (TUNNELGUARD_Monitor__Rules=...), then command-line flags, each overriding the one before.
/// <see cref="Validate"/> names every bad value with the setting it came from.
/// </summary>
internal sealed class MonitorSettings
{
    public const string Section = "Monitor";
    public const string DefaultDatabase = TunnelGuard.Cli.Alerts.AlertsRunner.DefaultDb;

    /// <summary>Interfaces to capture on ("any" for all).</summary>
    public List<string> Interfaces { get; set; } = [];

    /// <summary>Kernel BPF filter.</summary>
    public string Filter { get; set; } = LiveCaptureOptions.DefaultFilter;

    /// <summary>table or jsonl; null picks table on a terminal, jsonl otherwise.</summary>
    public string? Format { get; set; }

    /// <summary>Append connection reports to this file instead of standard output.</summary>
    public string? Output { get; set; }

    public bool AllFlows { get; set; }

    /// <summary>Stop after this many seconds; null runs until SIGINT/SIGTERM.</summary>
    public double? DurationSeconds { get; set; }

    /// <summary>Shape model file; null uses the shipped one.</summary>
    public string? Model { get; set; }

    public bool Heuristics { get; set; }

    /// <summary>HOST:PORT of the /metrics endpoint, or "off".</summary>
    public string Metrics { get; set; } = "127.0.0.1:9464";

    /// <summary>Policy folder or file; null means no rules (reports only).</summary>
    public string? Rules { get; set; }

    /// <summary>How often the policy files are checked for changes; 0 turns reloading off.</summary>
    public double RulesReloadSeconds { get; set; } = 2;

    /// <summary>The SQLite store for alerts and blocks (used with rules or enforcement).</summary>
    public string Database { get; set; } = DefaultDatabase;

    /// <summary>Also send alerts as RFC 5424 syslog to udp://HOST[:PORT] or tcp://HOST[:PORT]; null for none.</summary>
    public string? Syslog { get; set; }

    public bool Enforce { get; set; }

    public bool DryRun { get; set; }

    /// <summary>auto, nftables, iptables.</summary>
    public string Firewall { get; set; } = "auto";

    /// <summary>Ignore list, block rate cap and escalation.</summary>
    public EnforcementOptions Enforcement { get; set; } = new();

    /// <summary>1 to 1000 (default 10): libpcap's TPACKET_V3 blocks, handed over at most this many milliseconds after their
    /// first frame; 0: immediate mode (each frame as it arrives; see <see cref="LiveCaptureOptions.BlockTimeoutMilliseconds"/>).</summary>
    public int CaptureBlockTimeoutMilliseconds { get; set; } = new LiveCaptureOptions().BlockTimeoutMilliseconds;

    /// <summary>Flow table bounds.</summary>
    public FlowTableOptions FlowTable { get; set; } = new();

    /// <summary>Every problem with these settings, each naming the setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Interfaces.Count == 0 || Interfaces.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("no interface to capture on: give -i IFACE (or Monitor:Interfaces in the configuration)");
        }

        if (Format is not (null or "table" or "jsonl"))
        {
            errors.Add($"Monitor:Format '{Format}': expected table or jsonl");
        }

        if (DurationSeconds is <= 0 or double.NaN)
        {
            errors.Add($"Monitor:DurationSeconds {DurationSeconds?.ToString(CultureInfo.InvariantCulture)}: must be a positive number of seconds");
        }

        if (RulesReloadSeconds is < 0 or double.NaN)
        {
            errors.Add("Monitor:RulesReloadSeconds must be 0 (off) or a positive number of seconds");
        }

        if (Firewall is not ("auto" or "nftables" or "iptables"))
        {
            errors.Add($"Monitor:Firewall '{Firewall}': expected auto, nftables or iptables");
        }

        if (Enforce && DryRun)
        {
            errors.Add("--enforce and --dry-run exclude each other");
        }

        if ((Enforce || DryRun) && Rules is null)
        {
            errors.Add("--enforce and --dry-run need --rules DIR (the policy decides what to block)");
        }

        if (Syslog is not null && !TunnelGuard.Alerts.SyslogTarget.TryParse(Syslog, out _))
        {
            errors.Add($"--syslog '{Syslog}': expected udp://HOST[:PORT] or tcp://HOST[:PORT]");
        }

        if (Syslog is not null && Rules is null)
        {
            errors.Add("--syslog needs --rules DIR (alerts come from the policy)");
        }

        if (CaptureBlockTimeoutMilliseconds is < 0 or > 1000)
        {
            errors.Add($"--block-timeout {CaptureBlockTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture)} (Monitor:CaptureBlockTimeoutMilliseconds): expected 0 (immediate mode) or 1 to 1000 milliseconds (default 10)");
        }

        if (string.IsNullOrWhiteSpace(Database))
        {
            errors.Add("Monitor:Database must name a file");
        }

        if (Metrics != "off" && !TryParseEndpoint(Metrics, out _, out _))
        {
            errors.Add($"--metrics '{Metrics}': expected HOST:PORT, e.g. 127.0.0.1:9464, or 'off'");
        }

        Check(errors, "Monitor:Enforcement", Enforcement.Validate);
        Check(errors, "Monitor:FlowTable", FlowTable.Validate);
        return errors;
    }

    public static bool TryParseEndpoint(string endpoint, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = endpoint[..colon].Trim('[', ']');
        return host.Length > 0;
    }

    private static void Check(List<string> errors, string section, Action validate)
    {
        try
        {
            validate();
        }
        catch (Exception ex) when (ex is System.ComponentModel.DataAnnotations.ValidationException or ArgumentException)
        {
            errors.Add($"{section}: {ex.Message}");
        }
    }
}
