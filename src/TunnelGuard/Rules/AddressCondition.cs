using TunnelGuard.Decoding;

namespace TunnelGuard.Rules;

/// <summary>Addresses a rule names for one end of a connection: networks and named lists, as written.</summary>
public sealed record AddressCondition(IReadOnlyList<IpCidr> Networks, IReadOnlyList<string> Names)
{
    /// <summary>The first network that holds the address, or null.</summary>
    public IpCidr? Find(IpAddress address)
    {
        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return network;
            }
        }

        return null;
    }

    public override string ToString() => string.Join(", ", Names.Select(n => "$" + n).Concat(Networks.Select(n => n.ToString())).Distinct());
}
