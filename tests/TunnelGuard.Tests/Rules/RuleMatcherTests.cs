using TunnelGuard.Rules;

namespace TunnelGuard.Tests.Rules;

public sealed class RuleMatcherTests
{
    [Theory]
    [InlineData("forward-remote", true)]
    [InlineData("forward-dynamic", true)]
    [InlineData("forward-local", false)]
    [InlineData("unknown", false)]
    public void Label_MatchesThePrimaryLabel(string label, bool expected)
    {
        var match = Match("label: [forward-remote, forward-dynamic]", TestReports.Ssh(label: label));

        Assert.Equal(expected, match.IsMatch);
        Assert.Contains($"label {label} is", match.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Label_DoesNotMatchASecondaryLabel()
    {
        var report = TestReports.Ssh(label: "forward-remote") with
        {
            Verdict = new TunnelGuard.Reporting.Verdict("forward-remote", 0.9, [], ["forward-remote", "interactive"], 1),
        };

        Assert.False(Match("label: interactive", report).IsMatch);
    }

    [Theory]
    [InlineData(0.69, false)]
    [InlineData(0.7, true)]
    [InlineData(0.95, true)]
    public void MinConfidence_IsInclusive(double confidence, bool expected)
    {
        Assert.Equal(expected, Match("min_confidence: 0.7", TestReports.Ssh(confidence: confidence)).IsMatch);
    }

    [Theory]
    [InlineData("KEYSTROKE", true)]
    [InlineData("bulk download", false)]
    public void Evidence_IsACaseInsensitiveSubstring(string needle, bool expected)
    {
        var match = Match($"evidence: [\"{needle}\"]", TestReports.Ssh(evidence: ["12 keystroke-sized packets", "server opened channels"]));

        Assert.Equal(expected, match.IsMatch);
    }

    [Theory]
    [InlineData("198.18.1.1", "client: 198.18.0.0/15", true)]
    [InlineData("198.18.1.1", "client: 198.18.1.1", true)]
    [InlineData("198.18.1.1", "client: 198.18.1.0/32", false)]
    [InlineData("198.20.1.1", "client: 198.18.0.0/15", false)]
    [InlineData("198.18.1.1", "client_not: 198.18.0.0/15", false)]
    [InlineData("10.9.9.9", "client_not: 198.18.0.0/15", true)]
    [InlineData("2001:db8:20::5", "client: \"2001:db8:20::/48\"", true)]
    [InlineData("2001:db8:21::5", "client: \"2001:db8:20::/48\"", false)]
    [InlineData("::ffff:198.18.1.1", "client: \"::/0\"", false)]
    [InlineData("::ffff:198.18.1.1", "client: 198.18.0.0/16", true)]
    [InlineData("198.18.1.1", "client: \"::ffff:198.18.0.0/112\"", true)]
    [InlineData("2001:db8::1", "client: 0.0.0.0/0", false)]
    [InlineData("198.18.1.1", "client: \"::/0\"", false)]
    [InlineData("198.18.1.1", "client: 0.0.0.0/0", true)]
    public void ClientAddresses_MatchIPv4AndIPv6Networks(string client, string condition, bool expected)
    {
        Assert.Equal(expected, Match(condition, TestReports.Ssh(client: client)).IsMatch);
    }

    [Fact]
    public void ServerAddresses_UseNamedLists_AndSayWhichList()
    {
        var rules = Load("""
            lists:
              bastions: [203.0.113.0/24, "2001:db8:b::/64"]
            rules:
              - id: r
                match: { server: $bastions }
                alert: { severity: low }
            """);

        var inside = RuleMatcher.Match(rules[0].Match, TestReports.Ssh(server: "2001:db8:b::22", client: "2001:db8::1"));
        var outside = RuleMatcher.Match(rules[0].Match, TestReports.Ssh(server: "203.0.114.1"));

        Assert.True(inside.IsMatch);
        Assert.Equal("server 2001:db8:b::22 is in 2001:db8:b::/64 (lists: $bastions)", inside.Reasons[0]);
        Assert.False(outside.IsMatch);
        Assert.Equal("server 203.0.114.1 is not in [$bastions, 203.0.113.0/24, 2001:db8:b::/64]", outside.Reasons[0]);
    }

    [Theory]
    [InlineData(22, "server_port: 22", true)]
    [InlineData(2222, "server_port: [22, 2200-2299]", true)]
    [InlineData(2300, "server_port: [22, 2200-2299]", false)]
    public void ServerPort_MatchesPortsAndRanges(ushort port, string condition, bool expected)
    {
        Assert.Equal(expected, Match(condition, TestReports.Ssh(serverPort: port)).IsMatch);
    }

    [Theory]
    [InlineData(40000, true)]
    [InlineData(1023, false)]
    public void ClientPort_MatchesRanges(ushort port, bool expected)
    {
        Assert.Equal(expected, Match("client_port: 1024-65535", TestReports.Ssh(clientPort: port)).IsMatch);
    }

    [Theory]
    [InlineData("OpenSSH_9.2p1", "software: \"OpenSSH_9.*\"", true)]
    [InlineData("OpenSSH_8.9p1", "software: \"OpenSSH_9.*\"", false)]
    [InlineData("PuTTY_Release_0.78", "software: \"putty_release_0.7?\"", true)]
    [InlineData("Renci.SshNet.SshClient.2026.0.0", "software_not: [\"OpenSSH_*\", \"PuTTY_*\"]", true)]
    [InlineData("OpenSSH_9.2p1", "software_not: [\"OpenSSH_*\", \"PuTTY_*\"]", false)]
    public void Software_MatchesGlobs_OverTheWholeVersionWithComments(string software, string condition, bool expected)
    {
        Assert.Equal(expected, Match(condition, TestReports.Ssh(software: software, comments: software.StartsWith("OpenSSH", StringComparison.Ordinal) ? "Debian-2" : null)).IsMatch);
    }

    [Fact]
    public void Software_Unseen_MatchesOnlyADenyList()
    {
        var report = TestReports.Ssh(software: null, comments: null);

        Assert.False(Match("software: \"*\"", report).IsMatch);
        Assert.True(Match("software_not: \"OpenSSH_*\"", report).IsMatch);
    }

    [Theory]
    [InlineData("hassh: [472B5DE333AD665AF5CBF10FF892C4DF]", true)]
    [InlineData("hassh: [00000000000000000000000000000000]", false)]
    [InlineData("hassh_not: [472b5de333ad665af5cbf10ff892c4df]", false)]
    [InlineData("hassh_not: [00000000000000000000000000000000]", true)]
    public void Hassh_AllowAndDenyLists(string condition, bool expected)
    {
        Assert.Equal(expected, Match(condition, TestReports.Ssh(hassh: "472b5de333ad665af5cbf10ff892c4df")).IsMatch);
    }

    [Theory]
    // Monday 2026-11-23; decided 2 s after first seen.
    [InlineData("2026-11-23T09:59:00Z", "{ days: [mon-fri], hours: \"10:00-18:00\" }", false)]
    [InlineData("2026-11-23T10:00:00Z", "{ days: [mon-fri], hours: \"10:00-18:00\" }", true)]
    [InlineData("2026-11-23T17:59:00Z", "{ days: [mon-fri], hours: \"10:00-18:00\" }", true)]
    [InlineData("2026-11-23T18:00:00Z", "{ days: [mon-fri], hours: \"10:00-18:00\" }", false)]
    [InlineData("2026-11-22T12:00:00Z", "{ days: [mon-fri] }", false)]
    [InlineData("2026-11-22T12:00:00Z", "{ days: [sat, sun] }", true)]
    [InlineData("2026-11-23T09:30:00Z", "{ hours: \"10:00-18:00\", utc_offset: \"+01:00\" }", true)]
    [InlineData("2026-11-23T17:30:00Z", "{ hours: \"10:00-18:00\", utc_offset: \"+01:00\" }", false)]
    // Over midnight: Friday 22:00 to Saturday 06:00 belongs to Friday.
    [InlineData("2026-11-28T05:00:00Z", "{ days: [fri], hours: \"22:00-06:00\" }", true)]
    [InlineData("2026-11-27T05:00:00Z", "{ days: [fri], hours: \"22:00-06:00\" }", false)]
    [InlineData("2026-11-27T23:00:00Z", "{ days: [fri], hours: \"22:00-06:00\" }", true)]
    [InlineData("2026-11-25T12:00:00Z", "[{ days: [mon] }, { days: [wed] }]", true)]
    public void Time_WindowsOfDayAndWeek(string at, string window, bool expected)
    {
        var micros = (DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1000) - 2_000_000;

        Assert.Equal(expected, Match($"time: {window}", TestReports.Ssh(firstSeenMicros: micros)).IsMatch);
    }

    [Fact]
    public void AllConditions_MustHold_AndTheReasonsSayWhy()
    {
        var conditions = "{ label: forward-remote, min_confidence: 0.8, client_not: 10.0.0.0/8, server_port: 22 }";

        var hit = Match(conditions, TestReports.Ssh());
        var miss = Match(conditions, TestReports.Ssh(serverPort: 443));

        Assert.True(hit.IsMatch);
        Assert.Equal(
            ["label forward-remote is one of [forward-remote]", "confidence 0.9 >= 0.8", "client 198.18.1.1 is not in [10.0.0.0/8]", "server port 22 is in [22]"],
            hit.Reasons);
        Assert.False(miss.IsMatch);
        Assert.Equal(["server port 443 is not in [22]"], miss.Reasons);
    }

    [Theory]
    [InlineData("server_hassh: 425d29fe50d8e4f5e37efb6e24bcf660", true, "server HASSH 425d29fe50d8e4f5e37efb6e24bcf660 matches 425d29fe50d8e4f5e37efb6e24bcf660")]
    [InlineData("server_hassh: [b12d2871a1189eff20364cf5333619ee]", false, "server HASSH 425d29fe50d8e4f5e37efb6e24bcf660 matches none of [b12d2871a1189eff20364cf5333619ee]")]
    [InlineData("server_hassh_not: [b12d2871a1189eff20364cf5333619ee]", true, "server HASSH 425d29fe50d8e4f5e37efb6e24bcf660 matches none of [b12d2871a1189eff20364cf5333619ee]")]
    [InlineData("server_hassh_not: [425D29FE50D8E4F5E37EFB6E24BCF660]", false, "server HASSH 425d29fe50d8e4f5e37efb6e24bcf660 matches 425d29fe50d8e4f5e37efb6e24bcf660")]
    [InlineData("server_software: 'OpenSSH_9.*'", true, "server software OpenSSH_9.2p1 matches OpenSSH_9.*")]
    [InlineData("server_software_not: ['dropbear*']", true, "server software OpenSSH_9.2p1 matches none of [dropbear*]")]
    public void ServerHasshAndSoftware_AllowAndDenyLists(string condition, bool expected, string reason)
    {
        var match = Match($"{{ {condition} }}", TestReports.Ssh());

        Assert.Equal(expected, match.IsMatch);
        Assert.Equal(reason, match.Reasons[^1]);
    }

    [Fact]
    public void ServerHassh_NotSeen_MatchesOnlyTheDenyList()
    {
        var report = TestReports.Ssh() with { SshServer = null };

        Assert.False(Match("{ server_hassh: [425d29fe50d8e4f5e37efb6e24bcf660] }", report).IsMatch);
        Assert.True(Match("{ server_hassh_not: [425d29fe50d8e4f5e37efb6e24bcf660] }", report).IsMatch);
    }

    [Theory]
    [InlineData(TunnelGuard.Shape.AuthOutcome.Success, "auth: success", true)]
    [InlineData(TunnelGuard.Shape.AuthOutcome.Failure, "auth: success", false)]
    [InlineData(TunnelGuard.Shape.AuthOutcome.Failure, "auth: [failure, unknown]", true)]
    [InlineData(TunnelGuard.Shape.AuthOutcome.Unknown, "auth: [success, failure]", false)]
    public void Auth_MatchesTheInferredOutcome(TunnelGuard.Shape.AuthOutcome outcome, string condition, bool expected)
    {
        var match = Match($"{{ {condition} }}", TestReports.Ssh() with { Auth = outcome });

        Assert.Equal(expected, match.IsMatch);
        Assert.StartsWith($"authentication {TunnelGuard.Shape.AuthInference.Name(outcome)} (inferred from packet sizes) {(expected ? "is" : "is not")} one of [", match.Reasons[^1], StringComparison.Ordinal);
    }

    private static MatchResult Match(string conditions, TunnelGuard.Reporting.ConnectionReport report)
    {
        var body = conditions.StartsWith('{') ? conditions : "{ " + conditions + " }";
        var rules = Load($"rules:\n  - id: r\n    match: {body}\n    alert: {{ severity: low }}\n");
        return RuleMatcher.Match(rules[0].Match, report);
    }

    internal static IReadOnlyList<Rule> Load(string yaml)
    {
        var result = RuleLoader.Parse("t.yaml", yaml);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.RuleSet!.Rules;
    }
}
