namespace TunnelGuard.Cli.Alerts;

/// <summary>
/// Where the alerts of `replay` and `monitor` go: the policy that raises them (null: no alerts), the SQLite store
/// (<c>--alerts-db</c>), a syslog target (<c>--syslog udp://HOST[:PORT]|tcp://HOST[:PORT]</c>, checked by
/// <see cref="ReplayAlerts.Create(CliConsole, AlertOutputOptions, out int)"/>) and the sensor name alerts carry.
/// </summary>
internal sealed record AlertOutputOptions(string? RulesPath, string? AlertsDb = null, string? Syslog = null, string? Sensor = null);
