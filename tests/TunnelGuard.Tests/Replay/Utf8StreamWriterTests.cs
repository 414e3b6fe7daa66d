using System.Text;
using TunnelGuard.Reporting;

namespace TunnelGuard.Tests.Replay;

public sealed class Utf8StreamWriterTests
{
    [Fact]
    public void TextAndUtf8Lines_LandInTheOrderWritten_AsAStreamWriterWouldEncodeThem()
    {
        using var stream = new MemoryStream();
        var expected = new StringBuilder();
        using (var writer = new Utf8StreamWriter(stream, ownsStream: false))
        {
            // Enough of each to cross the 64 KiB buffer many times, at every alignment.
            for (var i = 0; i < 3_000; i++)
            {
                var report = $"{{\"n\":{i},\"banner\":\"é€😀 {new string('x', i % 97)}\"}}";
                writer.WriteUtf8Line(Encoding.UTF8.GetBytes(report));
                expected.Append(report).Append('\n');
                var alert = $"  ALERT {i} ü";
                writer.WriteLine(alert);
                expected.Append(alert).Append(writer.NewLine);
            }
        }

        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void SurrogatePairSplitAcrossTwoWrites_IsEncodedAsOneCharacter()
    {
        using var stream = new MemoryStream();
        var emoji = "😀";
        using (var writer = new Utf8StreamWriter(stream, ownsStream: false))
        {
            writer.Write(emoji[0]);
            writer.Write(emoji[1]);
        }

        Assert.Equal(Encoding.UTF8.GetBytes(emoji), stream.ToArray());
    }

    [Fact]
    public void Dispose_FlushesAndClosesAStreamItOwns_OnlyFlushesOneItDoesNotOwn()
    {
        var owned = new MemoryStream();
        var borrowed = new MemoryStream();
        new Utf8StreamWriter(owned, ownsStream: true).Dispose();
        using (var writer = new Utf8StreamWriter(borrowed, ownsStream: false))
        {
            writer.Write("abc");
        }

        Assert.False(owned.CanWrite);
        Assert.True(borrowed.CanWrite);
        Assert.Equal("abc"u8.ToArray(), borrowed.ToArray());
    }
}
