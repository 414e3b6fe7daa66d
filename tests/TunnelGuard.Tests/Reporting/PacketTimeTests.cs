using System.Text;
using TunnelGuard.Reporting;

namespace TunnelGuard.Tests.Reporting;

public sealed class PacketTimeTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(999_999L)]
    [InlineData(1_000_000L)]
    [InlineData(-1L)]
    [InlineData(1_764_979_200_123_456L)]
    [InlineData(-62_135_596_800_000_000L)] // 0001-01-01T00:00:00Z
    [InlineData(253_402_300_799_999_999L)] // 9999-12-31T23:59:59.999999Z
    public void FormatRfc3339_Utf8_IsToRfc3339(long micros) =>
        Assert.Equal(PacketTime.ToRfc3339(micros), Format(micros));

    [Fact]
    public void FormatRfc3339_Utf8_IsToRfc3339_AcrossYears()
    {
        var random = new Random(20261206);
        for (var i = 0; i < 20_000; i++)
        {
            var micros = random.NextInt64(-62_135_596_800_000_000L, 253_402_300_800_000_000L);
            Assert.Equal(PacketTime.ToRfc3339(micros), Format(micros));
        }
    }

    private static string Format(long micros) =>
        Encoding.UTF8.GetString(PacketTime.FormatRfc3339(micros, stackalloc byte[PacketTime.Rfc3339Buffer]));
}
