using TunnelGuard.Decoding;
using TunnelGuard.Flows;

namespace TunnelGuard.Tests.Flows;

public sealed class CommunityIdTests
{
    // Vector from Zeek's community_id_v1 test suite (the spec's reference implementations agree).
    [Fact]
    public void Tcp_MatchesTheReferenceVector()
    {
        var id = CommunityId.Compute(IpAddress.Parse("1.2.3.4"), 1122, IpAddress.Parse("5.6.7.8"), 3344);

        Assert.Equal("1:wCb3OG7yAFWelaUydu0D+125CLM=", id);
    }

    [Fact]
    public void BothDirections_GiveTheSameId()
    {
        var a = CommunityId.Compute(IpAddress.Parse("198.18.0.1"), 40000, IpAddress.Parse("198.18.0.2"), 22);
        var b = CommunityId.Compute(IpAddress.Parse("198.18.0.2"), 22, IpAddress.Parse("198.18.0.1"), 40000);

        Assert.Equal(a, b);
    }

    [Fact]
    public void Ipv6_DiffersFromIpv4AndIsStable()
    {
        var v6 = CommunityId.Compute(IpAddress.Parse("::1"), 40000, IpAddress.Parse("::1"), 22);

        Assert.StartsWith("1:", v6, StringComparison.Ordinal);
        Assert.Equal(v6, CommunityId.Compute(IpAddress.Parse("::1"), 22, IpAddress.Parse("::1"), 40000));
    }
}
