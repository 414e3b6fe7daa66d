using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace TunnelGuard.Flows;

/// <summary>Bounds of the flow table; together they bound the memory the pipeline uses.</summary>
public sealed class FlowTableOptions
{
    /// <summary>Smallest <see cref="MaxFlows"/> accepted.</summary>
    public const int MinMaxFlows = 16;

    /// <summary>Largest <see cref="MaxFlows"/> accepted.</summary>
    public const int MaxMaxFlows = 50_000_000;

    /// <summary>Most flows tracked at once; beyond it the oldest idle flow is evicted.</summary>
    [Range(MinMaxFlows, MaxMaxFlows)]
    public int MaxFlows { get; set; } = 262_144;

    /// <summary>A flow with no packet for this long (packet time) ends.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A flow that has carried no data (a SYN, a handshake, a scan) ends after this long without a packet.</summary>
    public TimeSpan ProbationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a flow stays after FIN both ways or RST, to absorb the last ACKs and retransmissions.</summary>
    public TimeSpan ClosedLinger { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Smallest <see cref="StreamPrefixBytes"/> accepted.</summary>
    public const int MinStreamPrefixBytes = 1024;

    /// <summary>Largest <see cref="StreamPrefixBytes"/> accepted.</summary>
    public const int MaxStreamPrefixBytes = 1024 * 1024;

    /// <summary>Bytes of each direction's stream kept in order for the SSH handshake.</summary>
    [Range(MinStreamPrefixBytes, MaxStreamPrefixBytes)]
    public int StreamPrefixBytes { get; set; } = 64 * 1024;

    /// <summary>Throws with a message naming the bad setting.</summary>
    public void Validate()
    {
        // The [Range] checks by hand, with the message DataAnnotations' Validator gives: its reflection over the type
        // (property descriptors, attribute store, invoke stubs) was most of a small replay's start-up after the runtime's.
        CheckRange(MaxFlows, MinMaxFlows, MaxMaxFlows, nameof(MaxFlows));
        CheckRange(StreamPrefixBytes, MinStreamPrefixBytes, MaxStreamPrefixBytes, nameof(StreamPrefixBytes));
        if (IdleTimeout <= TimeSpan.Zero)
        {
            throw new ValidationException($"{nameof(IdleTimeout)} must be positive, not {IdleTimeout}.");
        }

        if (ProbationTimeout <= TimeSpan.Zero || ProbationTimeout > IdleTimeout)
        {
            throw new ValidationException($"{nameof(ProbationTimeout)} must be between 0 and {nameof(IdleTimeout)}, not {ProbationTimeout}.");
        }

        if (ClosedLinger < TimeSpan.Zero || ClosedLinger > IdleTimeout)
        {
            throw new ValidationException($"{nameof(ClosedLinger)} must be between 0 and {nameof(IdleTimeout)}, not {ClosedLinger}.");
        }
    }

    private static void CheckRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ValidationException(string.Create(CultureInfo.InvariantCulture, $"The field {name} must be between {min} and {max}."));
        }
    }
}
