using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TunnelGuard.Alerts;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

public sealed class SyslogAlertSinkTests
{
    internal static readonly Regex Rfc5424 = new(
        @"^<(?<pri>\d{1,3})>1 (?<time>\S+) (?<host>\S+) tunnelguard (?<pid>\d+) alert (?<sd>\[tunnelguard@32473( [a-z_]+=""(\\.|[^""\\\]])*"")+\]) \uFEFF(?<msg>\{.*\})$",
        RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    [Fact]
    public void Udp_SendsOneRfc5424Message_WithStructuredDataAndTheJson()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        var alert = TestAlerts.Make(severity: "high", block: true);
        using var sink = new SyslogAlertSink(new SyslogTarget(false, "127.0.0.1", port), hostName: "sensor 1");

        sink.OnAlert(alert);
        receiver.Client.ReceiveTimeout = 5000;
        IPEndPoint? from = null;
        var text = Encoding.UTF8.GetString(receiver.Receive(ref from));

        var match = Rfc5424.Match(text);
        Assert.True(match.Success, text);
        Assert.Equal((16 * 8) + 3, int.Parse(match.Groups["pri"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("2026-11-23T10:00:02.000000Z", match.Groups["time"].Value);
        Assert.Equal("sensor_1", match.Groups["host"].Value);
        Assert.Contains($"id=\"{alert.Id}\"", match.Groups["sd"].Value, StringComparison.Ordinal);
        Assert.Contains("rule=\"reverse-tunnel\" severity=\"high\" action=\"block\" src=\"198.18.1.1:40000\" dst=\"198.18.1.2:22\"", match.Groups["sd"].Value, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(match.Groups["msg"].Value);
        Assert.Equal(alert.Id, json.RootElement.GetProperty("alert").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("low", 5)]
    [InlineData("medium", 4)]
    [InlineData("critical", 2)]
    public void Severity_MapsToSyslogSeverity(string severity, int expected)
    {
        using var sink = new SyslogAlertSink(new SyslogTarget(false, "127.0.0.1", 9), facility: 4);

        var text = Encoding.UTF8.GetString(sink.Format(TestAlerts.Make(severity: severity)));

        Assert.StartsWith($"<{(4 * 8) + expected}>1 ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void StructuredDataValues_AreEscaped()
    {
        using var sink = new SyslogAlertSink(new SyslogTarget(false, "127.0.0.1", 9));
        var alert = TestAlerts.Make() with { RuleId = "a\"b]c\\d" };

        var text = Encoding.UTF8.GetString(sink.Format(alert));

        Assert.Contains("rule=\"a\\\"b\\]c\\\\d\"", text, StringComparison.Ordinal);
        Assert.Matches(Rfc5424, text);
    }

    [Fact]
    public async Task Tcp_UsesOctetCounting_OneFramePerAlert()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var sink = new SyslogAlertSink(new SyslogTarget(true, "127.0.0.1", port));
            var first = TestAlerts.Make(clientPort: 1);
            var second = TestAlerts.Make(clientPort: 2);

            sink.OnAlert(first);
            sink.OnAlert(second);
            using var client = await listener.AcceptTcpClientAsync();
            using var stream = client.GetStream();
            stream.ReadTimeout = 5000;

            Assert.Contains(first.Id, ReadFrame(stream), StringComparison.Ordinal);
            Assert.Contains(second.Id, ReadFrame(stream), StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tcp_TargetDown_KeepsTheAlerts_LogsOnce_AndSendsThemInOrderWhenItIsBack()
    {
        var port = FreePort();
        var time = new ManualTime();
        var log = new List<string>();
        using var sink = new SyslogAlertSink(new SyslogTarget(true, "127.0.0.1", port), log: log.Add, time: time);
        var alerts = Enumerable.Range(1, 4).Select(i => TestAlerts.Make(clientPort: (ushort)i)).ToList();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        sink.OnAlert(alerts[0]);
        sink.OnAlert(alerts[1]);
        sink.OnAlert(alerts[2]);
        watch.Stop();

        // Refused once; the next alerts wait for the retry interval instead of trying (and failing) again.
        Assert.Equal((1, 0, 3, 0), (sink.Failures, sink.Sent, sink.Pending, sink.Dropped));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"a dead target held the caller for {watch.Elapsed}");
        Assert.StartsWith($"syslog tcp://127.0.0.1:{port}: cannot send (", Assert.Single(log), StringComparison.Ordinal);

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        try
        {
            time.Advance(SyslogAlertSink.RetryInterval);
            sink.OnAlert(alerts[3]);
            using var client = await listener.AcceptTcpClientAsync();
            using var stream = client.GetStream();
            stream.ReadTimeout = 5000;

            foreach (var alert in alerts)
            {
                var frame = ReadFrame(stream);
                Assert.Matches(Rfc5424, frame);
                Assert.Contains($"id=\"{alert.Id}\"", frame, StringComparison.Ordinal);
            }

            Assert.Equal((4, 0), (sink.Sent, sink.Pending));
            Assert.Equal($"syslog tcp://127.0.0.1:{port}: sending again", log[^1]);
            Assert.Equal(2, log.Count);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void Tcp_FullBacklog_DropsTheOldest_AndCountsIt()
    {
        using var sink = new SyslogAlertSink(new SyslogTarget(true, "127.0.0.1", FreePort()), time: new ManualTime(), backlog: 2);

        for (ushort i = 1; i <= 5; i++)
        {
            sink.OnAlert(TestAlerts.Make(clientPort: i));
        }

        Assert.Equal((2, 3L), (sink.Pending, sink.Dropped));
        Assert.False(sink.TryFlush());
    }

    [Fact]
    public void Udp_RefusedByADeadPort_IsLoggedOnce_NotAtEveryOtherSend()
    {
        var log = new List<string>();
        var time = new ManualTime();
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        receiver.Dispose();
        using var sink = new SyslogAlertSink(new SyslogTarget(false, "127.0.0.1", port), log: log.Add, time: time);

        for (ushort i = 1; i <= 10; i++)
        {
            sink.OnAlert(TestAlerts.Make(clientPort: i));
        }

        // Linux reports the ICMP port unreachable of one datagram on the next send.
        Assert.True(sink.Failures >= 4, $"{sink.Failures} failures");
        Assert.StartsWith($"syslog udp://127.0.0.1:{port}: cannot send (", Assert.Single(log), StringComparison.Ordinal);
    }

    [Fact]
    public void Udp_UnresolvableHost_IsCountedAndLoggedOnce_NeverThrown()
    {
        var log = new List<string>();
        using var sink = new SyslogAlertSink(new SyslogTarget(false, "no-such-host.invalid", 514), log: log.Add);

        sink.OnAlert(TestAlerts.Make(clientPort: 1));
        sink.OnAlert(TestAlerts.Make(clientPort: 2));

        Assert.Equal((2L, 2L, 0L), (sink.Failures, sink.Dropped, sink.Sent));
        Assert.Contains("alerts sent while it is down are lost to syslog", Assert.Single(log), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("udp://127.0.0.1", false, "127.0.0.1", 514)]
    [InlineData("tcp://siem.example:6514", true, "siem.example", 6514)]
    [InlineData("udp://[::1]:1514", false, "::1", 1514)]
    public void Target_Parses(string text, bool tcp, string host, int port)
    {
        Assert.True(SyslogTarget.TryParse(text, out var target));
        Assert.Equal(new SyslogTarget(tcp, host, port), target);
    }

    [Theory]
    [InlineData("127.0.0.1:514")]
    [InlineData("http://127.0.0.1")]
    [InlineData("udp://127.0.0.1/x")]
    public void Target_Rejects(string text)
    {
        Assert.False(SyslogTarget.TryParse(text, out _));
    }

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    internal static string ReadFrame(NetworkStream stream)
    {
        var length = 0;
        int b;
        while ((b = stream.ReadByte()) != ' ')
        {
            Assert.InRange(b, '0', '9');
            length = (length * 10) + (b - '0');
        }

        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return Encoding.UTF8.GetString(buffer);
    }
}
