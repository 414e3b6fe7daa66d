using System.Text.Json;
using TunnelGuard.Alerts;
using TunnelGuard.Reporting;
using TunnelGuard.Tests.Rules;

namespace TunnelGuard.Tests.Alerts;

public sealed class AlertJsonWriterTests
{
    [Fact]
    public void Alert_IsOneEveLikeJsonLine_WithTheReplayConnectionFields()
    {
        var alert = TestAlerts.Make(block: true);

        var json = AlertJsonWriter.ToJson(alert);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        Assert.DoesNotContain('\n', json);
        Assert.Equal("alert", root.GetProperty("event_type").GetString());
        Assert.Equal(PacketTime.ToRfc3339(TestReports.MondayTenUtc + 2_000_000), root.GetProperty("timestamp").GetString());
        Assert.Equal("2026-11-23T10:00:02.000000Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("test.pcap", root.GetProperty("pcap").GetString());
        Assert.Equal(alert.CommunityId, root.GetProperty("community_id").GetString());
        Assert.Equal("198.18.1.1", root.GetProperty("src_ip").GetString());
        Assert.Equal(40000, root.GetProperty("src_port").GetInt32());
        Assert.Equal("198.18.1.2", root.GetProperty("dest_ip").GetString());
        Assert.Equal(22, root.GetProperty("dest_port").GetInt32());
        Assert.Equal("TCP", root.GetProperty("proto").GetString());
        var a = root.GetProperty("alert");
        Assert.Equal(alert.Id, a.GetProperty("id").GetString());
        Assert.Matches("^tg-[0-9a-f]{20}$", alert.Id);
        Assert.Equal("reverse-tunnel", a.GetProperty("rule_id").GetString());
        Assert.Equal("high", a.GetProperty("severity").GetString());
        Assert.Equal("block", a.GetProperty("action").GetString());
        Assert.Equal(3600, a.GetProperty("block").GetProperty("duration_s").GetInt32());
        Assert.False(a.GetProperty("block").GetProperty("enforced").GetBoolean());
        Assert.Equal("198.18.1.1", a.GetProperty("block").GetProperty("addresses")[0].GetString());
        Assert.Equal("OpenSSH_9.2p1 Debian-2+deb12u10", root.GetProperty("ssh").GetProperty("client").GetProperty("software_version").GetString());
        Assert.Equal("472b5de333ad665af5cbf10ff892c4df", root.GetProperty("ssh").GetProperty("client").GetProperty("hassh").GetString());
        Assert.Equal("forward-remote", root.GetProperty("verdict").GetProperty("label").GetString());
        Assert.Equal(0.9, root.GetProperty("verdict").GetProperty("confidence").GetDouble());
        Assert.Contains("keystroke", root.GetProperty("verdict").GetProperty("evidence")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StableId_DependsOnRuleAndConnection_NotOnTheRun()
    {
        var first = TestAlerts.Make();
        var again = TestAlerts.Make();
        var otherRule = TestAlerts.Make(ruleId: "other");
        var otherPort = TestAlerts.Make(clientPort: 40001);

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, otherRule.Id);
        Assert.NotEqual(first.Id, otherPort.Id);
    }

    [Fact]
    public void HostileSoftware_IsEscaped()
    {
        var alert = TestAlerts.Make() with { ClientSoftware = "Evil\u001b[31m\"}\n{\"x\":1" };

        var json = AlertJsonWriter.ToJson(alert);

        Assert.DoesNotContain('\u001b', json);
        Assert.DoesNotContain('\n', json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(alert.ClientSoftware, doc.RootElement.GetProperty("ssh").GetProperty("client").GetProperty("software_version").GetString());
    }
}
