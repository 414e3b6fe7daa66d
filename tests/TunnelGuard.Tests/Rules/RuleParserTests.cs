using TunnelGuard.Alerts;
using TunnelGuard.Rules;

namespace TunnelGuard.Tests.Rules;

public sealed class RuleParserTests
{
    private const string Valid = """
        lists:
          admins: [10.20.0.0/16, "2001:db8:20::/48"]
          good_clients: ["OpenSSH_9.*"]
        rules:
          - id: admins-may-tunnel
            match:
              label: [forward-remote, forward-dynamic]
              client: $admins
            allow: true
          - id: reverse-tunnel
            description: Reverse tunnel
            match:
              label: forward-remote
              min_confidence: 0.7
              client_not: [$admins, 192.0.2.7]
              server_port: [22, 2200-2299]
              software: $good_clients
              time: { days: [mon-fri], hours: "08:00-18:00", utc_offset: "+01:00" }
            alert: { severity: high, title: Reverse SSH tunnel }
            block: { target: client, duration: 1h, escalation: { factor: 2, max: 8h } }
            suppress: 30m
        """;

    [Fact]
    public void ValidFile_GivesRulesInOrder_WithEveryPart()
    {
        var result = RuleLoader.Parse("p.yaml", Valid);

        Assert.Empty(result.Errors);
        var rules = result.RuleSet!.Rules;
        Assert.Equal(["admins-may-tunnel", "reverse-tunnel"], rules.Select(r => r.Id));
        Assert.True(rules[0].Allow);
        var rule = rules[1];
        Assert.Equal(new SourcePosition("p.yaml", 10, 5), rule.Position);
        Assert.Equal(["forward-remote"], rule.Match.Labels!);
        Assert.Equal(0.7, rule.Match.MinConfidence);
        Assert.Equal(3, rule.Match.ClientNot!.Networks.Count);
        Assert.Equal(["admins"], rule.Match.ClientNot.Names);
        Assert.Equal([new PortRange(22, 22), new PortRange(2200, 2299)], rule.Match.ServerPorts!);
        Assert.Equal(new AlertAction(AlertSeverity.High, "Reverse SSH tunnel"), rule.Alert);
        Assert.Equal(new BlockAction(BlockTarget.Client, TimeSpan.FromHours(1), 2, TimeSpan.FromHours(8)), rule.Block);
        Assert.Equal(TimeSpan.FromMinutes(30), rule.Suppress);
        var window = Assert.Single(rule.Match.Time!);
        Assert.Equal(5, window.Days.Count);
        Assert.Equal(TimeSpan.FromHours(1), window.UtcOffset);
    }

    [Fact]
    public void UnknownField_InAlert_IsNamed_WithPositionAndWhatIsExpected()
    {
        var result = RuleLoader.Parse("f.yaml", """
            rules:
              - id: r1
                alert:
                  sevrity: high
            """);
        var error = result.Errors[0].ToString();

        Assert.StartsWith("f.yaml:4:7: unknown field 'sevrity' in alert (did you mean 'severity'?); expected one of: severity, title", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownField_InRule_AndInMatch_AreEachNamed()
    {
        var result = RuleLoader.Parse("f.yaml", """
            rules:
              - id: r1
                mtach: {}
                alert: { severity: low }
              - id: r2
                match: { lable: exec }
                alert: { severity: low }
            """);

        Assert.Null(result.RuleSet);
        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("f.yaml:3:5: unknown field 'mtach' in a rule (did you mean 'match'?); expected one of: id, description, match, alert, block, allow, suppress", result.Errors[0].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("f.yaml:6:14: unknown field 'lable' in match (did you mean 'label'?)", result.Errors[1].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "bad prefix length (expected 0 to 32 for IPv4)")]
    [InlineData("10.0.0.1/8", "has host bits set (expected the network address, e.g. 10.0.0.0/8)")]
    [InlineData("2001:db8::/129", "bad prefix length (expected 0 to 128 for IPv6)")]
    [InlineData("10.0.0.300", "is not an IP address or CIDR")]
    [InlineData("fe80::1%eth0", "is not an IP address or CIDR")]
    public void BadCidr_InARule_IsNamedAtTheItem(string cidr, string problem)
    {
        var error = OnlyError($"""
            rules:
              - id: r1
                match:
                  client: [10.1.0.0/16, "{cidr}"]
                alert: {"{"} severity: low {"}"}
            """);

        Assert.StartsWith($"f.yaml:4:29: bad CIDR in client: '{cidr}' ", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadCidr_InANamedList_IsNamedInTheListsFile_Once()
    {
        var result = RuleLoader.Parse(
        [
            new RuleSource("a-lists.yaml", """
                lists:
                  admins:
                    - 10.20.0.0/16
                    - 10.30.0.0/99
                """),
            new RuleSource("b-rules.yaml", """
                rules:
                  - id: r1
                    match: { client_not: $admins }
                    alert: { severity: low }
                  - id: r2
                    match: { server: $admins }
                    alert: { severity: low }
                """),
        ]);

        var error = Assert.Single(result.Errors);
        Assert.Equal("a-lists.yaml:4:7", error.Position.ToString());
        Assert.StartsWith("bad CIDR in list 'admins' (used as client_not): '10.30.0.0/99' has a bad prefix length", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLabel_ListsTheVocabulary()
    {
        var error = OnlyError("""
            rules:
              - id: r1
                match: { label: [exec, reverse-tunnel] }
                alert: { severity: low }
            """);

        Assert.Equal("f.yaml:3:28: unknown label 'reverse-tunnel' (expected one of: interactive, exec, file-transfer, forward-local, forward-remote, forward-dynamic, unknown, not-ssh)", error);
    }

    [Fact]
    public void BadSeverity_SaysWhichAreAllowed()
    {
        var error = OnlyError("""
            rules:
              - id: r1
                alert: { severity: urgent }
            """);

        Assert.Equal("f.yaml:3:24: bad severity 'urgent' (expected low, medium, high or critical)", error);
    }

    [Theory]
    [InlineData("duration: 1hour", "bad duration '1hour' for 'duration' (expected a duration such as 30s, 10m, 1h, 1h30m, 7d or 0)")]
    [InlineData("duration: h", "bad duration 'h' for 'duration'")]
    [InlineData("duration: 0", "block duration is 0 (expected a positive duration such as 1h)")]
    [InlineData("duration: 1h, escalation: { max: -5m }", "bad duration '-5m' for 'max'")]
    public void BadDuration_InBlock_IsNamed(string fields, string message)
    {
        var error = OnlyError($$"""
            rules:
              - id: r1
                block: { target: client, {{fields}} }
            """);

        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.StartsWith("f.yaml:3:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSuppressDuration_IsNamed()
    {
        var error = OnlyError("""
            rules:
              - id: r1
                alert: { severity: low }
                suppress: ten minutes
            """);

        Assert.Equal("f.yaml:4:15: bad duration 'ten minutes' for 'suppress' (expected a duration such as 30s, 10m, 1h, 1h30m, 7d or 0)", error);
    }

    [Fact]
    public void DuplicateId_AcrossFiles_NamesTheFirst()
    {
        var result = RuleLoader.Parse(
        [
            new RuleSource("a.yaml", "rules:\n  - id: same\n    alert: { severity: low }\n"),
            new RuleSource("b.yaml", "rules:\n  - { id: same, alert: { severity: low } }\n"),
        ]);

        var error = Assert.Single(result.Errors);
        Assert.Equal("b.yaml:2:11: duplicate rule id 'same' (first defined at a.yaml:2:9)", error.ToString());
    }

    [Fact]
    public void UnknownList_NamesTheKnownOnes()
    {
        var error = OnlyError("""
            lists:
              admins: [10.0.0.0/8]
              jump_hosts: [192.0.2.10]
            rules:
              - id: r1
                match: { client: [$admin] }
                alert: { severity: low }
            """);

        Assert.Equal("f.yaml:6:23: unknown list 'admin' (expected one of the names under 'lists:': admins, jump_hosts)", error);
    }

    [Theory]
    [InlineData("match: { server_port: 70000 }", "bad port '70000' for 'server_port'")]
    [InlineData("match: { server_port: 2300-2200 }", "bad port '2300-2200' for 'server_port'")]
    [InlineData("match: { min_confidence: 1.5 }", "bad value '1.5' for 'min_confidence' (expected a number from 0 to 1)")]
    [InlineData("match: { hassh: [abc] }", "bad HASSH 'abc' in hassh (expected 32 hexadecimal digits")]
    [InlineData("match: { server_hassh: [abc] }", "bad HASSH 'abc' in server_hassh (expected 32 hexadecimal digits")]
    [InlineData("match: { auth: [succeeded] }", "unknown auth outcome 'succeeded' (expected one or more of: success, failure, unknown)")]
    [InlineData("match: { auth: [] }", "empty 'auth' (expected one or more of: success, failure, unknown)")]
    [InlineData("match: { time: { hours: 8-18 } }", "bad hours '8-18'")]
    [InlineData("match: { time: { days: [monday] } }", "bad day 'monday'")]
    [InlineData("match: { time: { utc_offset: CET } }", "bad utc_offset 'CET'")]
    [InlineData("block: { target: subnet, duration: 1h }", "bad block target 'subnet' (expected client, server or pair)")]
    [InlineData("allow: yes", "bad value 'yes' for 'allow' (expected true or false)")]
    [InlineData("match: { label: [[exec]] }", "expected a single value in the list 'label', not a list")]
    [InlineData("match: { label: [] }", "empty 'label' (expected one or more of: interactive,")]
    public void BadValues_AreNamed(string line, string message)
    {
        var error = OnlyError($"""
            rules:
              - id: r1
                {line}
                alert: {"{"} severity: low {"}"}
            """.Replace("alert: { severity: low }", line.StartsWith("allow", StringComparison.Ordinal) || line.StartsWith("block", StringComparison.Ordinal) ? string.Empty : "alert: { severity: low }", StringComparison.Ordinal));

        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.StartsWith("f.yaml:3:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rules:\n  - description: no id\n    alert: { severity: low }\n", "f.yaml:2:5: rule has no 'id' (expected e.g. 'id: reverse-tunnel')")]
    [InlineData("rules:\n  - id: r1\n", "f.yaml:2:5: rule 'r1' has no action (expected 'alert:', 'block:' or 'allow: true')")]
    [InlineData("rules:\n  - id: r1\n    allow: true\n    alert: { severity: low }\n", "f.yaml:3:12: rule 'r1' both allows and alerts or blocks (expected either 'allow: true' or 'alert'/'block')")]
    [InlineData("rules:\n  - id: r1\n    alert: {}\n", "f.yaml:3:12: alert has no 'severity' (expected low, medium, high or critical)")]
    [InlineData("rules:\n  - id: 'bad id'\n    alert: { severity: low }\n", "f.yaml:2:9: bad rule id 'bad id' (expected letters, digits, '.', '_' or '-', starting with a letter or digit)")]
    [InlineData("rules: {}\n", "f.yaml:1:8: expected 'rules' to be a list of rules (each item starting with '- id:')")]
    [InlineData("- id: r1\n", "f.yaml:1:1: expected a mapping with 'lists' and 'rules' at the top of the file")]
    [InlineData("version: 2\n", "f.yaml:1:10: unsupported version '2' (expected 1)")]
    [InlineData("polices: []\n", "f.yaml:1:1: unknown field 'polices' in the top of the file; expected one of: version, lists, rules")]
    public void StructuralMistakes_AreNamed(string text, string expected)
    {
        Assert.Equal(expected, OnlyError(text));
    }

    [Fact]
    public void YamlSyntaxError_IsReportedWithItsPosition()
    {
        var error = OnlyError("rules:\n  - id: r1\n    alert: { severity: low\n");

        Assert.StartsWith("f.yaml:", error, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TextEndingInsideAFlowList_IsAnError_NotACrash()
    {
        var error = OnlyError("rules:\n  - id: r1\n    match: { label: [exec, interactive\n");

        Assert.StartsWith("f.yaml:", error, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKey_IsAnError()
    {
        var error = OnlyError("rules:\n  - id: r1\n    alert: { severity: low }\n    alert: { severity: high }\n");

        Assert.StartsWith("f.yaml:4:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryMistake_IsReported_NotJustTheFirst()
    {
        var result = RuleLoader.Parse("f.yaml", """
            rules:
              - id: r1
                match: { label: nope, client: 300.0.0.0/8 }
                alert: { severity: huge }
              - id: r1
                block: { target: client, duration: forever }
            """);

        Assert.Equal(5, result.Errors.Count);
        Assert.Equal([3, 3, 4, 5, 6], result.Errors.Select(e => e.Position.Line));
    }

    [Fact]
    public void EmptyFile_HasNoRules_AndNoErrors()
    {
        var result = RuleLoader.Parse("f.yaml", "# nothing yet\n");

        Assert.Empty(result.Errors);
        Assert.Empty(result.RuleSet!.Rules);
    }

    [Fact]
    public void UnusedList_AndUnreachableRules_AreWarnings_NotErrors()
    {
        var result = RuleLoader.Parse("f.yaml", """
            lists:
              used: [10.0.0.0/8]
              forgotten: [192.0.2.0/24]
            rules:
              - { id: a, match: { client: $used }, alert: { severity: low } }
              - { id: everything, allow: true }
              - { id: late, alert: { severity: high } }
            """);

        Assert.True(result.IsValid);
        Assert.Equal(
        [
            "f.yaml:3:3: list 'forgotten' is not used by any rule",
            "f.yaml:7:5: rule 'late' can never fire: rule 'everything' (f.yaml:6:5) allows every connection before it",
        ], result.Warnings.Select(w => w.ToString()));
    }

    private static string OnlyError(string yaml)
    {
        var result = RuleLoader.Parse("f.yaml", yaml);
        Assert.Null(result.RuleSet);
        return Assert.Single(result.Errors).ToString();
    }
}
