using System.Diagnostics.CodeAnalysis;
using System.Net;
using TunnelGuard.Decoding;

namespace TunnelGuard.Rules;

/// <summary>
/// An IPv4 or IPv6 network. IPv4 networks live in the IPv4-mapped range of <see cref="IpAddress"/> (prefix + 96), so
/// one 128-bit mask test serves both families. Families never mix: an IPv4 network never matches an IPv6 address,
/// and an IPv6 network such as ::/0 never matches an IPv4 (or IPv4-mapped) address.
/// </summary>
public readonly record struct IpCidr(IpAddress Network, int PrefixLength)
{
    public bool IsV4 => Network.IsV4 && PrefixLength >= 96;

    public bool Contains(IpAddress address)
    {
        if (address.IsV4 != IsV4)
        {
            return false;
        }

        var (maskHigh, maskLow) = Mask(PrefixLength);
        return (address.High & maskHigh) == Network.High && (address.Low & maskLow) == Network.Low;
    }

    /// <summary>Parses <c>a.b.c.d/n</c>, <c>x::y/n</c> or a single address; host bits must be zero.</summary>
    public static bool TryParse(string text, [NotNullWhen(false)] out string? problem, out IpCidr cidr)
    {
        cidr = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var ip) || addressText.Contains('%', StringComparison.Ordinal))
        {
            problem = $"'{text}' is not an IP address or CIDR (expected e.g. 10.0.0.0/8 or 2001:db8::/32)";
            return false;
        }

        var v4 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var max = v4 ? 32 : 128;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length) || length > max))
        {
            problem = $"'{text}' has a bad prefix length (expected 0 to {max} for IPv{(v4 ? 4 : 6)})";
            return false;
        }

        var address = IpAddress.FromIPAddress(ip);
        var prefix = v4 ? length + 96 : length;
        var (maskHigh, maskLow) = Mask(prefix);
        if ((address.High & ~maskHigh) != 0 || (address.Low & ~maskLow) != 0)
        {
            problem = $"'{text}' has host bits set (expected the network address, e.g. {new IpAddress(address.High & maskHigh, address.Low & maskLow)}/{length})";
            return false;
        }

        cidr = new IpCidr(address, prefix);
        problem = null;
        return true;
    }

    public override string ToString() =>
        IsV4 ? $"{Network}/{PrefixLength - 96}" : $"{Network}/{PrefixLength}";

    private static (ulong High, ulong Low) Mask(int prefix)
    {
        var high = prefix >= 64 ? ulong.MaxValue : prefix == 0 ? 0 : ulong.MaxValue << (64 - prefix);
        var low = prefix <= 64 ? 0 : prefix >= 128 ? ulong.MaxValue : ulong.MaxValue << (128 - prefix);
        return (high, low);
    }
}
