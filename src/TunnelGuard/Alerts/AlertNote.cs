namespace TunnelGuard.Alerts;

/// <summary>One step in an alert's triage history: when (wall time), the status it moved to, and the analyst's note.</summary>
public sealed record AlertNote(long AtMicros, AlertStatus Status, string? Note);
