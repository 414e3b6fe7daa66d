using System.Buffers;
using System.Text;
using System.Text.Json;
using TunnelGuard.Reporting;

namespace TunnelGuard.Tests.Reporting;

public sealed class JsonNumberTests
{
    [Theory]
    [InlineData(0.0, 4)]
    [InlineData(-0.00001, 4)]
    [InlineData(0.00004999, 4)]
    [InlineData(0.00005, 4)]
    [InlineData(0.00015, 4)]
    [InlineData(1.0, 4)]
    [InlineData(15.0, 6)]
    [InlineData(0.1, 4)]
    [InlineData(0.12345, 4)]
    [InlineData(-7.5156, 4)]
    [InlineData(2.5, 0)]
    [InlineData(0.000001, 6)]
    [InlineData(0.0000125, 6)]
    [InlineData(0.0001, 6)]
    [InlineData(0.510683, 6)]
    [InlineData(123456789.123456, 6)]
    [InlineData(999999999.9999996, 6)]
    [InlineData(99999999999.99994, 4)]
    [InlineData(1e15, 4)]
    [InlineData(1e16, 4)]
    [InlineData(-1e300, 6)]
    [InlineData(double.Epsilon, 6)]
    public void WriteRounded_WritesWhatTheWriterWritesForMathRound(double value, int decimals) =>
        Assert.Equal(Reference(value, decimals), Written(value, decimals));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void WriteRounded_RefusesWhatIsNoJsonNumber_AsTheWriterDoes(double value)
    {
        Assert.Throws<ArgumentException>(() => Reference(value, 4));
        Assert.Throws<ArgumentException>(() => Written(value, 4));
    }

    [Fact]
    public void WriteRounded_AgreesWithTheWriterOnAMillionValuesOfEveryMagnitude()
    {
        var random = new Random(20261206);
        for (var i = 0; i < 1_000_000; i++)
        {
            // Magnitudes from 1e-8 to 1e12, both signs, and values near a rounding midpoint.
            var value = Math.Pow(10, (random.NextDouble() * 20) - 8) * (random.Next(2) == 0 ? -1 : 1);
            if (i % 4 == 0)
            {
                value = (Math.Round(value * 1e4) + 0.5) / 1e4;
            }

            var decimals = i % 3 == 0 ? 6 : 4;
            Assert.Equal(Reference(value, decimals), Written(value, decimals));
        }
    }

    private static string Reference(double value, int decimals) => Json(w => w.WriteNumber("n"u8, Math.Round(value, decimals)));

    private static string Written(double value, int decimals) => Json(w => JsonNumber.WriteRounded(w, "n"u8, value, decimals));

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonLine.Options))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteNumber("after"u8, 1);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
