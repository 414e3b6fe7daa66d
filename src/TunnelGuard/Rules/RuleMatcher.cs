using System.Globalization;
using TunnelGuard.Classification;
using TunnelGuard.Reporting;
using TunnelGuard.Shape;

namespace TunnelGuard.Rules;

/// <summary>Tests a rule's conditions against a connection report and says why it matched or which condition failed.</summary>
public static class RuleMatcher
{
    /// <summary>
    /// The packet time a rule decision is made at: when the current verdict was reached (its change's packet time;
    /// first seen + decided after for reports without a history), or the
    /// connection's last packet when that is not known. Time windows, suppression and alert time all use it.
    /// </summary>
    public static long DecisionMicros(ConnectionReport report) =>
        report.VerdictChanges.Count > 0 ? report.VerdictChanges[^1].AtMicros
        : report.Verdict.DecidedAfterSeconds is { } after ? report.FirstSeenMicros + (long)Math.Round(after * 1_000_000)
        : report.LastSeenMicros;

    /// <summary>The verdict's primary label; a flow that is not SSH is <c>not-ssh</c> whatever its verdict says.</summary>
    public static string Label(ConnectionReport report) => report.IsSsh ? report.Verdict.Label : Labels.NotSsh;

    public static MatchResult Match(RuleConditions c, ConnectionReport r)
    {
        var reasons = new List<string>();
        var verdict = r.Verdict;
        var label = Label(r);

        if (c.Labels is { } labels && !Check(labels.Contains(label, StringComparer.Ordinal), $"label {label} {(labels.Contains(label, StringComparer.Ordinal) ? "is" : "is not")} one of [{string.Join(", ", labels)}]", reasons))
        {
            return Fail(reasons);
        }

        if (c.MinConfidence is { } min && !Check(verdict.Confidence >= min, Invariant($"confidence {verdict.Confidence:0.###} {(verdict.Confidence >= min ? ">=" : "<")} {min:0.###}"), reasons))
        {
            return Fail(reasons);
        }

        if (c.Evidence is { } evidence)
        {
            var found = evidence.FirstOrDefault(e => verdict.Evidence.Any(line => line.Contains(e, StringComparison.OrdinalIgnoreCase)));
            if (!Check(found is not null, found is not null ? $"evidence mentions \"{found}\"" : $"no evidence mentions any of [{string.Join(", ", evidence.Select(e => $"\"{e}\""))}]", reasons))
            {
                return Fail(reasons);
            }
        }

        if (!Address(c.Client, r.Client, "client", inside: true, reasons) || !Address(c.ClientNot, r.Client, "client", inside: false, reasons)
            || !Address(c.Server, r.Server, "server", inside: true, reasons) || !Address(c.ServerNot, r.Server, "server", inside: false, reasons)
            || !Ports(c.ClientPorts, r.Client.Port, "client", reasons) || !Ports(c.ServerPorts, r.Server.Port, "server", reasons))
        {
            return Fail(reasons);
        }

        var software = r.SshClient?.FullSoftwareVersion;
        var hassh = r.SshClient?.Hassh;
        if (!Text(c.Software, software, "client software", inside: true, reasons) || !Text(c.SoftwareNot, software, "client software", inside: false, reasons)
            || !Text(c.Hassh, hassh, "client HASSH", inside: true, reasons) || !Text(c.HasshNot, hassh, "client HASSH", inside: false, reasons))
        {
            return Fail(reasons);
        }

        var serverSoftware = r.SshServer?.FullSoftwareVersion;
        var serverHassh = r.SshServer?.Hassh;
        if (!Text(c.ServerSoftware, serverSoftware, "server software", inside: true, reasons) || !Text(c.ServerSoftwareNot, serverSoftware, "server software", inside: false, reasons)
            || !Text(c.ServerHassh, serverHassh, "server HASSH", inside: true, reasons) || !Text(c.ServerHasshNot, serverHassh, "server HASSH", inside: false, reasons))
        {
            return Fail(reasons);
        }

        if (c.Auth is { } auth)
        {
            var found = auth.Contains(r.Auth);
            var names = string.Join(", ", auth.Select(AuthInference.Name));
            if (!Check(found, $"authentication {AuthInference.Name(r.Auth)} (inferred from packet sizes) {(found ? "is" : "is not")} one of [{names}]", reasons))
            {
                return Fail(reasons);
            }
        }

        if (c.Time is { } windows)
        {
            var at = PacketTime.ToDateTimeOffset(DecisionMicros(r));
            var window = windows.FirstOrDefault(w => w.Contains(at));
            var when = at.UtcDateTime.ToString("ddd yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
            var inside = window is null ? null : $"time {when} ({at.ToOffset(window.UtcOffset).ToString("ddd HH:mm", CultureInfo.InvariantCulture)} at the window's offset) is inside {window}";
            if (!Check(window is not null, inside ?? $"time {when} is outside [{string.Join("; ", windows)}]", reasons))
            {
                return Fail(reasons);
            }
        }

        return new MatchResult(true, reasons);
    }

    private static bool Address(AddressCondition? condition, Endpoint endpoint, string side, bool inside, List<string> reasons)
    {
        if (condition is null)
        {
            return true;
        }

        var found = condition.Find(endpoint.Address);
        var ok = inside == found is not null;
        var text = found is { } network
            ? $"{side} {endpoint.Address} is in {network}{Via(condition)}"
            : $"{side} {endpoint.Address} is not in [{condition}]";
        return Check(ok, text, reasons);
    }

    private static bool Ports(IReadOnlyList<PortRange>? ranges, ushort port, string side, List<string> reasons)
    {
        if (ranges is null)
        {
            return true;
        }

        var found = ranges.Any(p => p.Contains(port));
        return Check(found, $"{side} port {port} {(found ? "is" : "is not")} in [{string.Join(", ", ranges)}]", reasons);
    }

    private static bool Text(TextListCondition? condition, string? value, string what, bool inside, List<string> reasons)
    {
        if (condition is null)
        {
            return true;
        }

        var found = condition.Find(value);
        var shown = value is null ? $"{what} (not seen)" : $"{what} {value}";
        var text = found is not null ? $"{shown} matches {found}" : $"{shown} matches none of [{condition}]";
        return Check(inside == found is not null, text, reasons);
    }

    private static string Via(AddressCondition condition) =>
        condition.Names.Count == 0 ? string.Empty : $" (lists: {string.Join(", ", condition.Names.Select(n => "$" + n))})";

    private static bool Check(bool ok, string text, List<string> reasons)
    {
        reasons.Add(text);
        return ok;
    }

    private static MatchResult Fail(List<string> reasons) => new(false, [reasons[^1]]);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
