using System.Text;
using TunnelGuard.Ssh;

namespace TunnelGuard.Tests.Fuzzing;

/// <summary>Inputs the SSH parser fuzz target found (fuzz/run.sh ssh); see docs/fuzzing.md.</summary>
public sealed class SshParserFuzzRegressionTests
{
    [Fact]
    public void OversizedIdentificationLine_WithItsNewline_IsKeptOnlyUpToTheLimit()
    {
        var parser = new SshDirectionParser();
        var line = Encoding.ASCII.GetBytes("SSH-2.0-" + new string('A', 800) + "\r\n");

        parser.Parse(line, full: false);

        Assert.Equal(SshParseState.Stopped, parser.State);
        Assert.Contains("longer than 255", parser.Problem, StringComparison.Ordinal);
        var id = Assert.IsType<SshIdentification>(parser.Identification);
        Assert.True(id.ProtoVersion.Length + id.SoftwareVersion.Length + (id.Comments?.Length ?? 0) <= 255);
    }

    [Fact]
    public void OversizedIdentificationLine_SameResultWhetherOrNotItsNewlineArrived()
    {
        var text = "SSH-2.0-" + new string('B', 400);
        var withNewline = new SshDirectionParser();
        var withoutNewline = new SshDirectionParser();

        withNewline.Parse(Encoding.ASCII.GetBytes(text + "\r\n"), full: false);
        withoutNewline.Parse(Encoding.ASCII.GetBytes(text), full: false);

        Assert.Equal(withoutNewline.Identification, withNewline.Identification);
    }

    [Fact]
    public void BinaryPacketWhosePaddingLeavesNoMessageByte_StopsWithAProblem()
    {
        var parser = new SshDirectionParser();

        // packet_length 5, padding_length 4, four bytes of padding: an empty payload (found by fuzz/run.sh pipeline).
        byte[] stream = [.. "SSH-2.0-OpenSSH_9.2\r\n"u8, 0, 0, 0, 5, 4, 0, 0, 0, 0];
        parser.Parse(stream, full: false);

        Assert.Equal(SshParseState.Stopped, parser.State);
        Assert.Contains("padding", parser.Problem, StringComparison.Ordinal);
    }
}
