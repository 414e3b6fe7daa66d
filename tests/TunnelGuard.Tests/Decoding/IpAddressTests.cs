using System.Net;
using System.Text;
using TunnelGuard.Decoding;

namespace TunnelGuard.Tests.Decoding;

public sealed class IpAddressTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.0.1")]
    [InlineData("198.18.100.9")]
    [InlineData("1.23.100.7")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1ff:fe23:4567:890a")]
    [InlineData("2001:db8::8:800:200c:417a")]
    [InlineData("2001:db8:0:0:1:0:0:1")]
    [InlineData("::ffff:0:1.2.3.4")]
    [InlineData("64:ff9b::192.0.2.33")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")]
    public void FormatUtf8_WritesWhatToStringWrites(string text)
    {
        var address = IpAddress.Parse(text);

        var utf8 = address.FormatUtf8(stackalloc byte[IpAddress.MaxUtf8Length]);

        Assert.Equal(address.ToString(), Encoding.UTF8.GetString(utf8));
    }

    [Fact]
    public void FormatUtf8_EveryIpv4Octet_WritesWhatIPAddressWrites()
    {
        Span<byte> buffer = stackalloc byte[IpAddress.MaxUtf8Length];
        for (var octet = 0; octet < 256; octet++)
        {
            var text = $"{octet}.{255 - octet}.{octet / 2}.{octet % 10}";
            var address = IpAddress.FromIPAddress(IPAddress.Parse(text));

            Assert.Equal(text, Encoding.UTF8.GetString(address.FormatUtf8(buffer)));
        }
    }
}
