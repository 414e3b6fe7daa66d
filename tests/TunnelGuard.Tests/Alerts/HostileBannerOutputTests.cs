using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TunnelGuard.Alerts;
using TunnelGuard.Capture;
using TunnelGuard.Decoding;
using TunnelGuard.Enforcement;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Cli;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

/// <summary>
/// Issue 7, "Injection": an SSH connection whose banners and KEXINIT names carry shell metacharacters, ANSI and OSC
/// escapes, a BEL, a lone CR, newlines, JSON and SQL breakers, replayed from a pcap through every output end to end.
/// Every output must keep the text (escaped) and none may let a control character or an extra line through; the
/// firewall command is given parsed addresses only.
/// </summary>
public sealed class HostileBannerOutputTests : IDisposable
{
    // The identification line ends at LF, so the banner can carry a lone CR but not a newline; the KEXINIT name lists
    // are length-prefixed and can carry anything, newlines included.
    private const string ClientSoftware = "Evil\u001b[2J\u001b]0;pwned\u0007\"},{\"x\":1,$(reboot)`id`;rm${IFS}-rf|nc'\rFAKE-ROW');DROP\\TABLE";
    private const string ClientComments = "c\u001b[31m<script>x</script>'--";
    private const string ServerSoftware = "Srv\u0007\u001b[1;1H%s%n{{7*7}}";
    private const string HostileKex = "curve25519-sha256,evil\nFAKE-LINE\u001b[0m\",\"x\":\"";

    private const string Rule = "rules:\n  - id: any-ssh\n    match: { label: [unknown, interactive, exec, file-transfer, forward-local, forward-remote, forward-dynamic] }\n    alert: { severity: high, title: Hostile banner }\n    suppress: 0\n";

    private readonly TempDirectory _dir = new();
    private readonly string _pcap;
    private readonly string _rules;

    public HostileBannerOutputTests()
    {
        _pcap = BuildPcap(_dir.Path);
        _rules = _dir.File("rules.yaml");
        File.WriteAllText(_rules, Rule);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void JsonLines_KeepTheHostileTextExactly_AsOneParsableLinePerEvent()
    {
        var run = CliRun.Of("replay", _pcap, "--rules", _rules, "--format", "jsonl");

        Assert.True(run.ExitCode == 0, run.Error);
        AssertTerminalSafe(run.Out);
        Assert.Equal(2, run.OutLines.Length);
        using var connection = JsonDocument.Parse(run.OutLines[0]);
        using var alert = JsonDocument.Parse(run.OutLines[1]);
        foreach (var ssh in new[] { connection.RootElement.GetProperty("ssh"), alert.RootElement.GetProperty("ssh") })
        {
            AssertClientSoftware(ssh);
            Assert.Equal(ServerSoftware, ssh.GetProperty("server").GetProperty("software_version").GetString());
        }

        Assert.StartsWith(HostileKex + ";", connection.RootElement.GetProperty("ssh").GetProperty("client").GetProperty("hassh_string").GetString(), StringComparison.Ordinal);
        Assert.Equal("any-ssh", alert.RootElement.GetProperty("alert").GetProperty("rule_id").GetString());
    }

    [Fact]
    public void TerminalTable_ShowsTheTextEscaped_OneRowPerConnectionAndAlert()
    {
        var run = CliRun.Of("replay", _pcap, "--rules", _rules, "--format", "table");

        Assert.True(run.ExitCode == 0, run.Error);
        AssertTerminalSafe(run.Out);
        Assert.Contains("\\x1b", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteStore_KeepsTheTextInItsRow_AndAlertsListAndShow_PrintItEscaped()
    {
        var db = _dir.File("alerts.db");
        var replay = CliRun.Of("replay", _pcap, "--rules", _rules, "--alerts-db", db, "--format", "jsonl");
        Assert.True(replay.ExitCode == 0, replay.Error);
        var id = JsonDocument.Parse(replay.OutLines[1]).RootElement.GetProperty("alert").GetProperty("id").GetString()!;

        // Parameterised statements: the SQL breaker in the banner is data, the table is intact with one row.
        using (var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alerts'";
            Assert.Equal(1L, (long)count.ExecuteScalar()!);
        }

        using (var store = AlertStore.Open(db))
        {
            var record = Assert.Single(store.Query(new AlertQuery()));
            using var stored = JsonDocument.Parse(record.Json);
            AssertClientSoftware(stored.RootElement.GetProperty("ssh"));
        }

        var listTable = CliRun.Of("alerts", "list", "--db", db, "--format", "table");
        var listJson = CliRun.Of("alerts", "list", "--db", db, "--format", "jsonl");
        var show = CliRun.Of("alerts", "show", "--db", db, id);
        var showJson = CliRun.Of("alerts", "show", "--db", db, id, "--format", "jsonl");

        foreach (var run in new[] { listTable, listJson, show, showJson })
        {
            Assert.True(run.ExitCode == 0, run.Error);
            AssertTerminalSafe(run.Out);
        }

        Assert.Equal(2, listTable.OutLines.Length);
        Assert.Contains("\\x1b", show.Out, StringComparison.Ordinal);
        foreach (var run in new[] { listJson, showJson })
        {
            using var doc = JsonDocument.Parse(Assert.Single(run.OutLines));
            AssertClientSoftware(doc.RootElement.GetProperty("ssh"));
        }
    }

    [Fact]
    public void Syslog_SendsOneMessage_WithTheTextEscapedInStructuredDataAndJson()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.Client.ReceiveTimeout = 5000;
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        var loaded = RuleLoader.Load(_rules);
        Assert.NotNull(loaded.RuleSet);
        using var syslog = new SyslogAlertSink(new SyslogTarget(false, "127.0.0.1", port), hostName: "sensor");
        var alerting = new AlertingConnectionSink(null, new RuleEngine(loaded.RuleSet!), null, [syslog]);
        Replay(new PacketPipeline(new FlowTableOptions(), alerting, source: "hostile.pcap"));
        IPEndPoint? from = null;
        var message = Encoding.UTF8.GetString(receiver.Receive(ref from));

        Assert.Equal(1, alerting.Raised);
        AssertTerminalSafe(message);
        Assert.DoesNotContain('\n', message);
        var json = message[(message.IndexOf('\uFEFF', StringComparison.Ordinal) + 1)..];
        using var doc = JsonDocument.Parse(json);
        AssertClientSoftware(doc.RootElement.GetProperty("ssh"));
    }

    [Fact]
    public async Task Firewall_IsGivenOnlyTheParsedAddress_NeverTextFromTheWire()
    {
        // A stand-in for nft that records its arguments and standard input (the batch) instead of changing anything.
        var log = _dir.File("nft.log");
        var recorder = _dir.File("nft-recorder.sh");
        File.WriteAllText(recorder, $"#!/bin/sh\nprintf 'argv %s\\n' \"$@\" >> '{log}'\ncat >> '{log}'\n");
        ProcessRunner.Run("chmod", "u+x", recorder);
        var rules = _dir.File("block.yaml");
        File.WriteAllText(rules, Rule.Replace("suppress: 0", "suppress: 0\n    block: { target: client, duration: 5m }", StringComparison.Ordinal));
        var loaded = RuleLoader.Load(rules);
        Assert.NotNull(loaded.RuleSet);
        var enforcer = new Enforcer(new NftablesFirewall(new CommandRunner([recorder])), new BlockGuard(new EnforcementOptions()));
        var alerting = new AlertingConnectionSink(null, new RuleEngine(loaded.RuleSet!), null, []) { BlockDecided = enforcer.Request };
        Replay(new PacketPipeline(new FlowTableOptions(), alerting, source: "hostile.pcap"));
        await enforcer.DisposeAsync();

        Assert.Equal(1, enforcer.Applied);
        var recorded = File.ReadAllText(log);
        Assert.Contains("add element inet tunnelguard addr4 { 198.18.0.1 timeout 300s }", recorded, StringComparison.Ordinal);
        foreach (var line in recorded.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Matches(@"^(argv (nft|-f|-)|(add|delete|flush) [a-z0-9_ .:{};@-]+)$", line);
        }
    }

    private void Replay(PacketPipeline pipeline)
    {
        using (var reader = CaptureFileReader.Open(_pcap))
        {
            while (reader.TryRead(out var packet))
            {
                pipeline.Process(packet);
            }
        }

        pipeline.Complete();
    }

    /// <summary>The client's text kept whole: "software_version" is the software version and its comments (RFC 4253 §4.2).</summary>
    private static void AssertClientSoftware(JsonElement ssh) =>
        Assert.Equal($"{ClientSoftware} {ClientComments}", ssh.GetProperty("client").GetProperty("software_version").GetString());

    /// <summary>No control character (C0, DEL, C1) but the newline between lines, and no line that the text began.</summary>
    private static void AssertTerminalSafe(string output)
    {
        foreach (var c in output)
        {
            Assert.False(c != '\n' && (c < 0x20 || (c >= 0x7F && c <= 0x9F)), $"control character U+{(int)c:X4} in: {output}");
        }

        foreach (var line in output.Split('\n'))
        {
            Assert.DoesNotContain("FAKE", line.Length >= 4 ? line[..4] : line, StringComparison.Ordinal);
        }
    }

    private static string BuildPcap(string directory)
    {
        const string client = "198.18.0.1", server = "198.18.0.2";
        var clientKex = (string[])SshBytes.OpenSshClientLists.Clone();
        clientKex[0] = HostileKex;
        var toServer = SshBytes.Concat(SshBytes.Ascii($"SSH-2.0-{ClientSoftware} {ClientComments}\r\n"), SshBytes.KexInit(clientKex));
        var toClient = SshBytes.Concat(SshBytes.Ascii($"SSH-2.0-{ServerSoftware}\r\n"), SshBytes.KexInit(SshBytes.OpenSshClientLists));
        var builder = new PcapBuilder(linkType: LinkTypes.Raw);
        var t = 1_000_000L;
        void Add(bool up, uint seq, TcpFlags flags, byte[] payload, uint ack) => builder.Add(
            up ? Frames.Ipv4(client, server, Frames.Tcp(40000, 22, seq, flags, payload, ack))
               : Frames.Ipv4(server, client, Frames.Tcp(22, 40000, seq, flags, payload, ack)),
            t += 1000);
        Add(true, 1000, TcpFlags.Syn, [], 0);
        Add(false, 5000, TcpFlags.Syn | TcpFlags.Ack, [], 1001);
        Add(true, 1001, TcpFlags.Ack, [], 5001);
        Add(true, 1001, TcpFlags.Ack | TcpFlags.Psh, toServer, 5001);
        Add(false, 5001, TcpFlags.Ack | TcpFlags.Psh, toClient, 1001 + (uint)toServer.Length);
        Add(true, 1001 + (uint)toServer.Length, TcpFlags.Fin | TcpFlags.Ack, [], 5001 + (uint)toClient.Length);
        Add(false, 5001 + (uint)toClient.Length, TcpFlags.Fin | TcpFlags.Ack, [], 1002 + (uint)toServer.Length);
        return builder.WriteTo(directory, "hostile.pcap");
    }
}
