using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using TunnelGuard.Alerts;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

/// <summary>`replay --rules DIR --syslog URL` against real listeners on 127.0.0.1.</summary>
public sealed class ReplaySyslogTests
{
    // Fires once on every SSH connection of the committed captures, whatever its verdict.
    private const string EveryConnection = "rules:\n  - { id: every-ssh, match: { label: [unknown, interactive, exec, file-transfer, forward-local, forward-remote, forward-dynamic] }, alert: { severity: high }, suppress: 0 }\n";

    [Fact]
    public void Udp_EveryAlertArrivesAsOneWellFormedRfc5424Message()
    {
        using var dir = Policy();
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.Client.ReceiveBufferSize = 4 << 20;
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;

        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path, "--syslog", $"udp://127.0.0.1:{port}");

        Assert.True(run.ExitCode == 0, run.Error);
        var ids = AlertIds(run);
        Assert.True(ids.Count > 10, run.Out);
        receiver.Client.ReceiveTimeout = 5000;
        var received = new List<string>();
        while (received.Count < ids.Count)
        {
            IPEndPoint? from = null;
            var text = Encoding.UTF8.GetString(receiver.Receive(ref from));
            var match = SyslogAlertSinkTests.Rfc5424.Match(text);
            Assert.True(match.Success, text);
            using var json = JsonDocument.Parse(match.Groups["msg"].Value);
            received.Add(json.RootElement.GetProperty("alert").GetProperty("id").GetString()!);
        }

        Assert.Equal(ids, received);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public async Task Tcp_EveryAlertArrivesInOrder_OctetCounted()
    {
        using var dir = Policy();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accept = listener.AcceptTcpClientAsync();

            var run = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path, "--syslog", $"tcp://127.0.0.1:{port}");

            Assert.True(run.ExitCode == 0, run.Error);
            var ids = AlertIds(run);
            using var client = await accept;
            using var stream = client.GetStream();
            stream.ReadTimeout = 5000;
            var received = new List<string>();
            foreach (var _ in ids)
            {
                var frame = SyslogAlertSinkTests.ReadFrame(stream);
                var match = SyslogAlertSinkTests.Rfc5424.Match(frame);
                Assert.True(match.Success, frame);
                received.Add(JsonDocument.Parse(match.Groups["msg"].Value).RootElement.GetProperty("alert").GetProperty("id").GetString()!);
            }

            Assert.Equal(ids, received);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void TcpTargetDown_ReplayFinishes_EveryAlertInOutputAndStore_OneWarningAndACount()
    {
        using var dir = Policy();
        var db = dir.File("alerts.db");
        var target = $"tcp://127.0.0.1:{SyslogAlertSinkTests.FreePort()}";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--rules", dir.Path, "--alerts-db", db, "--syslog", target);

        watch.Stop();
        Assert.True(run.ExitCode == 0, run.Error);
        var ids = AlertIds(run);
        using (var store = AlertStore.Open(db))
        {
            Assert.Equal(ids.Count, store.Count());
        }

        var errors = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errors, l => l.StartsWith($"tunnelguard: syslog {target}: cannot send (", StringComparison.Ordinal));
        Assert.Contains($"tunnelguard: syslog {target}: 0 alert(s) sent, {ids.Count} not sent (every alert is in the output and the store)", errors);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("127.0.0.1:514")]
    [InlineData("http://127.0.0.1")]
    [InlineData("udp://")]
    public void MalformedTarget_IsAUsageError_ThatSaysWhatIsExpected(string target)
    {
        using var dir = Policy();

        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-forward-local.pcap"), "--rules", dir.Path, "--syslog", target);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"tunnelguard: --syslog '{target}': expected udp://HOST[:PORT] or tcp://HOST[:PORT], e.g. udp://127.0.0.1:514 or tcp://siem.example:6514", run.Error.Trim());
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public void SyslogWithoutRules_IsAUsageError()
    {
        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-forward-local.pcap"), "--syslog", "udp://127.0.0.1:514");

        Assert.Equal((2, "tunnelguard: --syslog needs --rules DIR"), (run.ExitCode, run.Error.Trim()));
    }

    private static TempDirectory Policy()
    {
        var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.yaml"), EveryConnection);
        return dir;
    }

    private static List<string> AlertIds(CliRun run) =>
        run.OutLines.Where(l => l.Contains("\"event_type\":\"alert\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("alert").GetProperty("id").GetString()!)
            .ToList();
}
