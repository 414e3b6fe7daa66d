using System.Text.Json;
using TunnelGuard.Decoding;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Cli;

public sealed class ReplayCommandTests
{
    [Fact]
    public void Replay_WritesOneJsonLinePerSshConnection_InTheDocumentedShape()
    {
        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"));

        Assert.Equal(0, run.ExitCode);
        var line = Assert.Single(run.OutLines);
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal("ssh", root.GetProperty("event_type").GetString());
        Assert.Equal("ssh-exec-chacha20.pcap", root.GetProperty("pcap").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", root.GetProperty("timestamp").GetString());
        Assert.StartsWith("1:", root.GetProperty("community_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(22, root.GetProperty("dest_port").GetInt32());
        var ssh = root.GetProperty("ssh");
        Assert.Equal("2.0", ssh.GetProperty("client").GetProperty("proto_version").GetString());
        Assert.StartsWith("OpenSSH_", ssh.GetProperty("client").GetProperty("software_version").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", ssh.GetProperty("client").GetProperty("hassh").GetString());
        Assert.Matches("^[0-9a-f]{32}$", ssh.GetProperty("server").GetProperty("hassh").GetString());
        Assert.Equal("chacha20-poly1305@openssh.com", ssh.GetProperty("cipher_alg").GetString());
        Assert.Equal("implicit", ssh.GetProperty("mac_alg").GetString());
        Assert.Equal("none", ssh.GetProperty("compression_alg").GetString());
        Assert.Equal("ssh-ed25519", ssh.GetProperty("host_key_alg").GetString());
        Assert.Equal("exec", root.GetProperty("verdict").GetProperty("label").GetString());
        Assert.NotEmpty(root.GetProperty("verdict").GetProperty("evidence").EnumerateArray());
        Assert.True(root.GetProperty("verdict").GetProperty("decided_after_s").GetDouble() > 0);
        Assert.True(root.GetProperty("packets").GetProperty("to_server").GetInt64() > 0);
        Assert.True(root.GetProperty("bytes").GetProperty("to_client").GetInt64() > 0);
        Assert.True(root.GetProperty("duration_s").GetDouble() > 0);
    }

    [Fact]
    public void Replay_IsDeterministic()
    {
        var first = CliRun.Of("replay", RepoPaths.Pcaps, "--all-flows");
        var second = CliRun.Of("replay", RepoPaths.Pcaps, "--all-flows");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Out, second.Out);
    }

    [Fact]
    public void AllFlows_AddsNonSshFlowsAsFlowEvents()
    {
        var run = CliRun.Of("replay", RepoPaths.Pcap("not-ssh-port22.pcap"), "--all-flows");
        var without = CliRun.Of("replay", RepoPaths.Pcap("not-ssh-port22.pcap"));

        Assert.NotEmpty(run.OutLines);
        Assert.All(run.OutLines, l => Assert.Contains("\"event_type\":\"flow\"", l, StringComparison.Ordinal));
        Assert.Empty(without.OutLines);
    }

    [Fact]
    public void TableFormat_PrintsAHeaderAndARowPerConnection()
    {
        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--format", "table");

        Assert.Equal(2, run.OutLines.Length);
        Assert.StartsWith("TIME", run.OutLines[0], StringComparison.Ordinal);
        Assert.Contains("OpenSSH_9", run.OutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void OutputFile_ReceivesTheJsonLines()
    {
        using var dir = new TempDirectory();
        var file = dir.File("out.jsonl");

        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--output", file);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Out);
        Assert.Single(File.ReadAllLines(file));
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--no-such-flag")]
    public void BadUsage_ExitsTwo_WithAMessage(params string[] extra)
    {
        var run = CliRun.Of(["replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), .. extra]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("tunnelguard:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingPath_ExitsThree_NamingIt()
    {
        var run = CliRun.Of("replay", "/nonexistent/x.pcap");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("tunnelguard: /nonexistent/x.pcap: no such file or directory", run.Error.Trim());
    }

    [Fact]
    public void NotACapture_ExitsThree_NamingTheFileAndWhatIsWrong()
    {
        using var dir = new TempDirectory();
        var file = dir.File("notes.pcap");
        File.WriteAllText(file, "these are not packets\n");

        var run = CliRun.Of("replay", file);

        Assert.Equal(3, run.ExitCode);
        var message = run.Error.Trim();
        Assert.StartsWith($"tunnelguard: {file}: not a pcap or pcapng capture (magic 0x", message, StringComparison.Ordinal);
        Assert.Single(message.Split('\n'));
    }

    [Fact]
    public void TruncatedCapture_ReportsWhatWasRead_ThenExitsThree()
    {
        using var dir = new TempDirectory();
        var whole = File.ReadAllBytes(RepoPaths.Pcap("ssh-exec-chacha20.pcap"));
        var file = dir.File("cut.pcap");
        File.WriteAllBytes(file, whole[..(whole.Length - 7)]);

        var run = CliRun.Of("replay", file);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("truncated file", run.Error, StringComparison.Ordinal);
        Assert.Contains(file, run.Error, StringComparison.Ordinal);
        Assert.Single(run.OutLines);
    }

    [Theory]
    [InlineData("--format", "jsonl")]
    [InlineData("--format", "jsonl", "--all-flows")]
    [InlineData("--format", "jsonl", "--rules", "rules")]
    [InlineData("--format", "table", "--rules", "rules")]
    public void Threads_OneTwoAndThree_WriteTheSameOutput(params string[] options)
    {
        string[] Args(string threads) => ["replay", RepoPaths.Pcaps, .. options.Select(o => o == "rules" ? Path.Combine(RepoPaths.Root, "rules") : o), "--stats", "--threads", threads];
        static string Stats(CliRun run) => System.Text.RegularExpressions.Regex.Replace(run.Error, @"packets in [0-9.]+ s = [0-9]+ packets/s", "packets in - s");

        var one = CliRun.Of(Args("1"));
        var two = CliRun.Of(Args("2"));
        var three = CliRun.Of(Args("3"));

        Assert.True(one.ExitCode == 0, one.Error);
        Assert.True(one.OutLines.Length > 40, one.Out);
        Assert.Equal(one.Out, two.Out);
        Assert.Equal(one.Out, three.Out);
        Assert.Equal(Stats(one), Stats(two));
        Assert.Equal(Stats(one), Stats(three));
    }

    [Fact]
    public void TruncatedCapture_WithTwoThreads_ReportsWhatOneThreadReports_ThenExitsThree()
    {
        using var dir = new TempDirectory();
        var whole = File.ReadAllBytes(RepoPaths.Pcap("ssh-forward-local.pcap"));
        var file = dir.File("cut.pcap");
        File.WriteAllBytes(file, whole[..(whole.Length * 2 / 3)]);

        var one = CliRun.Of("replay", file, "--all-flows", "--threads", "1");
        var two = CliRun.Of("replay", file, "--all-flows", "--threads", "2");

        Assert.Equal(3, two.ExitCode);
        Assert.NotEmpty(two.OutLines);
        Assert.Equal(one.Out, two.Out);
        Assert.Equal(one.Error, two.Error);
        Assert.Single(two.Error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    public void Threads_OutOfRange_IsRefusedWithExitTwo(string threads)
    {
        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--threads", threads);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--threads must be between 1 and 16, not {threads}", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileBanner_IsEscapedInJsonAndTable()
    {
        using var dir = new TempDirectory();
        var banner = "SSH-2.0-Evil\u001b[31m\"},{\"x\":1 $(reboot)\r\n";
        var client = Frames.Ipv4("198.18.0.1", "198.18.0.2", Frames.Tcp(40000, 22, 100, TcpFlags.Syn, []));
        var data = Frames.Ipv4("198.18.0.1", "198.18.0.2", Frames.Tcp(40000, 22, 101, TcpFlags.Ack | TcpFlags.Psh, SshBytes.Ascii(banner)));
        var file = new PcapBuilder(linkType: 101).Add(client, 1_000_000).Add(data, 1_000_100).WriteTo(dir.Path, "evil.pcap");

        var json = CliRun.Of("replay", file);
        var table = CliRun.Of("replay", file, "--format", "table");

        var line = Assert.Single(json.OutLines);
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("Evil\u001b[31m\"},{\"x\":1 $(reboot)", doc.RootElement.GetProperty("ssh").GetProperty("client").GetProperty("software_version").GetString());
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\u001b', table.Out);
        Assert.Contains("\\x1b", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Expect_PassesOnTheCommittedCorpus()
    {
        var run = CliRun.Of("replay", RepoPaths.Pcaps, "--expect", Path.Combine(RepoPaths.Pcaps, "manifest.json"));

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains(", 0 mismatch(es)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Expect_ExitsOne_AndNamesEachMismatch()
    {
        using var dir = new TempDirectory();
        var manifest = dir.File("manifest.json");
        File.WriteAllText(manifest, """
            {"version":1,"captures":[{"file":"ssh-exec-chacha20.pcap","connections":[{"client":"198.18.9.9:1","server":"198.18.9.8:22","labels":["exec"],"primary":"exec"}]}]}
            """);

        var run = CliRun.Of("replay", RepoPaths.Pcap("ssh-exec-chacha20.pcap"), "--expect", manifest);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("mismatch: ssh-exec-chacha20.pcap: SSH connection 198.18.9.9:1 -> 198.18.9.8:22 not found", run.Error, StringComparison.Ordinal);
        Assert.Contains("unexpected SSH connection", run.Error, StringComparison.Ordinal);
    }
}
