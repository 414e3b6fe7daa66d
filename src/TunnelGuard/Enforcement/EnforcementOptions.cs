using System.ComponentModel.DataAnnotations;
using System.Net;

namespace TunnelGuard.Enforcement;

/// <summary>The safety settings of blocking, like fail2ban's ignoreip, ignoreself and bantime.increment.</summary>
public sealed class EnforcementOptions
{
    /// <summary>Networks never blocked, e.g. the management networks (CIDR text).</summary>
    public IReadOnlyList<string> IgnoreNetworks { get; set; } = [];

    /// <summary>Never block loopback or the host's own addresses.</summary>
    public bool IgnoreSelf { get; set; } = true;

    /// <summary>At most this many new blocks in any minute; more are refused and counted.</summary>
    [Range(1, 100_000)]
    public int MaxNewBlocksPerMinute { get; set; } = 30;

    /// <summary>Each repeat offence within <see cref="EscalationWindow"/> multiplies the duration by this.</summary>
    [Range(1.0, 100.0)]
    public double EscalationFactor { get; set; } = 2.0;

    public TimeSpan EscalationWindow { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The ignore networks parsed; throws with the bad entry named.</summary>
    public IReadOnlyList<IPNetwork> ParsedIgnoreNetworks()
    {
        var networks = new List<IPNetwork>();
        foreach (var text in IgnoreNetworks)
        {
            if (!IPNetwork.TryParse(text, out var network))
            {
                throw new ValidationException($"IgnoreNetworks: '{text}' is not a CIDR network such as 198.18.0.0/15 or 2001:db8::/32");
            }

            networks.Add(network);
        }

        return networks;
    }

    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        _ = ParsedIgnoreNetworks();
        if (MaxDuration <= TimeSpan.Zero || EscalationWindow <= TimeSpan.Zero)
        {
            throw new ValidationException("MaxDuration and EscalationWindow must be positive");
        }
    }
}
