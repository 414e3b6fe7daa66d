using System.Net;
using System.Net.NetworkInformation;
using TunnelGuard.Decoding;

namespace TunnelGuard.Enforcement;

/// <summary>
/// Stands between a rule that asks for a block and the firewall: never blocks loopback, the host's own addresses or
/// ignored networks; caps new blocks per minute; escalates the duration for repeat offenders. Time is whatever clock
/// the caller passes (packet time in the pipeline), so a replay decides the same way every time.
/// </summary>
public sealed class BlockGuard
{
    private const long MinuteMicros = 60_000_000;

    private readonly IReadOnlyList<IPNetwork> _ignored;
    private readonly HashSet<IpAddress> _own;
    private readonly int _maxPerMinute;
    private readonly double _factor;
    private readonly long _windowMicros;
    private readonly TimeSpan _maxDuration;
    private readonly Queue<long> _recent = new();
    private readonly Dictionary<IpAddress, (int Count, long Last)> _offences = [];

    public BlockGuard(EnforcementOptions options, IEnumerable<IpAddress>? ownAddresses = null)
    {
        options.Validate();
        _ignored = options.ParsedIgnoreNetworks();
        _own = options.IgnoreSelf ? [.. ownAddresses ?? HostAddresses()] : [];
        _maxPerMinute = options.MaxNewBlocksPerMinute;
        _factor = options.EscalationFactor;
        _windowMicros = (long)options.EscalationWindow.TotalMicroseconds;
        _maxDuration = options.MaxDuration;
    }

    /// <summary>Requests refused because of the per-minute cap.</summary>
    public long RateLimited { get; private set; }

    /// <summary>Requests refused because the address is protected.</summary>
    public long Ignored { get; private set; }

    public GuardDecision Decide(IpAddress address, TimeSpan requested, long nowMicros)
    {
        var ip = address.ToIPAddress();
        if (IPAddress.IsLoopback(ip) || _own.Contains(address))
        {
            Ignored++;
            return new GuardDecision(false, TimeSpan.Zero, 0, $"{address} is this host's own address");
        }

        foreach (var network in _ignored)
        {
            if (network.Contains(ip))
            {
                Ignored++;
                return new GuardDecision(false, TimeSpan.Zero, 0, $"{address} is in the ignored network {network}");
            }
        }

        while (_recent.Count > 0 && nowMicros - _recent.Peek() >= MinuteMicros)
        {
            _recent.Dequeue();
        }

        if (_recent.Count >= _maxPerMinute)
        {
            RateLimited++;
            return new GuardDecision(false, TimeSpan.Zero, 0, $"more than {_maxPerMinute} new blocks in a minute");
        }

        var offence = _offences.TryGetValue(address, out var previous) && nowMicros - previous.Last <= _windowMicros ? previous.Count + 1 : 1;
        _offences[address] = (offence, nowMicros);
        _recent.Enqueue(nowMicros);
        var seconds = Math.Min(requested.TotalSeconds * Math.Pow(_factor, offence - 1), _maxDuration.TotalSeconds);
        return new GuardDecision(true, TimeSpan.FromSeconds(seconds), offence, offence == 1 ? "first offence" : $"offence {offence}: duration x{Math.Pow(_factor, offence - 1):0.##}");
    }

    /// <summary>Every address configured on this host's interfaces.</summary>
    public static IEnumerable<IpAddress> HostAddresses()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                yield return IpAddress.FromIPAddress(unicast.Address);
            }
        }
    }
}
