using System.Security.Cryptography;
using System.Text;
using TunnelGuard.Classification;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Alerts;

/// <summary>Builds alerts from rule hits; the id depends only on the rule, the connection and where it was seen, so a replay gives the same ids every time.</summary>
public static class AlertFactory
{
    public static Alert Create(RuleHit hit, ConnectionReport report, long decisionMicros, string? sensor = null, bool enforced = false)
    {
        var action = hit.Rule.Alert ?? throw new ArgumentException($"rule '{hit.Rule.Id}' raises no alert", nameof(hit));
        return new Alert
        {
            Id = StableId(hit.Rule.Id, report, sensor),
            TimeMicros = decisionMicros,
            RuleId = hit.Rule.Id,
            Title = action.Title,
            Severity = action.Severity,
            Reasons = hit.Reasons,
            Block = hit.Block,
            Enforced = enforced && hit.Block is not null,
            Client = report.Client,
            Server = report.Server,
            CommunityId = report.CommunityId,
            FirstSeenMicros = report.FirstSeenMicros,
            ClientSoftware = report.SshClient?.FullSoftwareVersion,
            ClientHassh = report.SshClient?.Hassh,
            ServerSoftware = report.SshServer?.FullSoftwareVersion,
            ServerHassh = report.SshServer?.Hassh,
            // Rules see a flow that is not SSH as "not-ssh" (RuleMatcher.Label); the alert says the same.
            Verdict = report.IsSsh ? report.Verdict : report.Verdict with { Label = Labels.NotSsh },
            // A copy: an open connection's report shares its classification's list, which grows on the pipeline thread.
            VerdictChanges = [.. report.VerdictChanges],
            Pcap = report.Source,
            Sensor = sensor,
        };
    }

    /// <summary><c>tg-</c> and 20 hex digits of SHA-256 over rule, Community ID, first packet time, ports and source.</summary>
    public static string StableId(string ruleId, ConnectionReport report, string? sensor)
    {
        var key = $"{ruleId}|{report.CommunityId}|{report.FirstSeenMicros}|{report.Client}|{report.Server}|{report.Source}|{sensor}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return "tg-" + Convert.ToHexStringLower(hash[..10]);
    }
}
