using TunnelGuard.Decoding;
using TunnelGuard.Flows;

namespace TunnelGuard.Tests.Flows;

public sealed class FlowTableTests
{
    private const long Second = 1_000_000;

    private sealed class Recorder : IFlowObserver
    {
        public List<(Flow Flow, FlowEndReason Reason)> Ended { get; } = [];

        public void OnFlowEnded(Flow flow, FlowEndReason reason) => Ended.Add((flow, reason));
    }

    private static TcpPacket Packet(int client, ushort clientPort, TcpFlags flags, bool toServer = true, int payload = 0)
    {
        var a = IpAddress.Parse($"198.18.0.{client}");
        var b = IpAddress.Parse("198.18.1.1");
        return toServer
            ? new TcpPacket(a, b, clientPort, 22, 100, 0, flags, 1000, 54, payload, payload, 4, 0)
            : new TcpPacket(b, a, 22, clientPort, 500, 101, flags, 1000, 54, payload, payload, 4, 0);
    }

    private static FlowTableOptions Options(int maxFlows = 16) => new()
    {
        MaxFlows = maxFlows,
        IdleTimeout = TimeSpan.FromSeconds(60),
        ClosedLinger = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public void BothDirections_MapToOneFlow_WithInitiatorFromSyn()
    {
        var recorder = new Recorder();
        var table = new FlowTable(Options(), recorder);

        var first = table.Track(Packet(1, 40000, TcpFlags.Syn), 0, out var d1);
        var second = table.Track(Packet(1, 40000, TcpFlags.Syn | TcpFlags.Ack, toServer: false), 1, out var d2);

        Assert.Same(first, second);
        Assert.Equal((0, 1), (d1, d2));
        Assert.True(first.StartSeen);
        Assert.Equal(40000, first.InitiatorPort);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void SynAckSeenFirst_StillMakesTheSynSenderTheInitiator()
    {
        var table = new FlowTable(Options(), new Recorder());

        var flow = table.Track(Packet(1, 40000, TcpFlags.Syn | TcpFlags.Ack, toServer: false), 0, out var direction);

        Assert.Equal(1, direction);
        Assert.Equal(40000, flow.InitiatorPort);
    }

    [Fact]
    public void MidStreamFlow_IsTrackedAndMarkedAsStartNotSeen()
    {
        var table = new FlowTable(Options(), new Recorder());

        var flow = table.Track(Packet(1, 40000, TcpFlags.Ack, payload: 100), 0, out _);

        Assert.False(flow.StartSeen);
        Assert.Equal(100, flow.Forward.PayloadBytes);
    }

    [Fact]
    public void FullTable_EvictsTheOldestIdleFlow_AndCountsIt()
    {
        var recorder = new Recorder();
        var table = new FlowTable(Options(maxFlows: 16), recorder);
        for (var i = 0; i < 16; i++)
        {
            table.Track(Packet(i + 1, 40000, TcpFlags.Syn), i, out _);
        }

        // Flow 1 is touched again, so flow 2 is now the oldest idle one.
        table.Track(Packet(1, 40000, TcpFlags.Ack), 100, out _);
        table.Track(Packet(100, 40000, TcpFlags.Syn), 101, out _);

        Assert.Equal(16, table.Count);
        Assert.Equal(1, table.FlowsEvicted);
        var (evicted, reason) = Assert.Single(recorder.Ended);
        Assert.Equal(FlowEndReason.Evicted, reason);
        Assert.Equal("198.18.0.2", evicted.Initiator.ToString());
    }

    [Fact]
    public void IdleFlow_EndsWhenPacketTimePassesTheTimeout()
    {
        var recorder = new Recorder();
        var table = new FlowTable(Options(), recorder);
        table.Track(Packet(1, 40000, TcpFlags.Syn), 0, out _);

        table.Advance(59 * Second);
        Assert.Empty(recorder.Ended);
        table.Advance(61 * Second);

        Assert.Equal(FlowEndReason.Idle, Assert.Single(recorder.Ended).Reason);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void ClosedFlow_EndsAfterTheLinger_NotTheIdleTimeout()
    {
        var recorder = new Recorder();
        var table = new FlowTable(Options(), recorder);
        table.Track(Packet(1, 40000, TcpFlags.Syn), 0, out _);
        table.Track(Packet(1, 40000, TcpFlags.Fin | TcpFlags.Ack), Second, out _);
        table.Track(Packet(1, 40000, TcpFlags.Fin | TcpFlags.Ack, toServer: false), Second, out _);

        table.Advance(4 * Second);

        Assert.Equal(FlowEndReason.Closed, Assert.Single(recorder.Ended).Reason);
    }

    [Fact]
    public void NewSynOnClosedTuple_StartsANewFlow()
    {
        var recorder = new Recorder();
        var table = new FlowTable(Options(), recorder);
        var old = table.Track(Packet(1, 40000, TcpFlags.Syn), 0, out _);
        table.Track(Packet(1, 40000, TcpFlags.Rst), 1, out _);

        var fresh = table.Track(Packet(1, 40000, TcpFlags.Syn), 2, out _);

        Assert.NotSame(old, fresh);
        Assert.Same(old, Assert.Single(recorder.Ended).Flow);
    }

    [Fact]
    public void Flush_EndsEveryFlowInCreationOrder()
    {
        var recorder = new Recorder();
        var table = new FlowTable(Options(), recorder);
        table.Track(Packet(3, 40000, TcpFlags.Syn), 0, out _);
        table.Track(Packet(1, 40000, TcpFlags.Syn), 1, out _);
        table.Track(Packet(3, 40000, TcpFlags.Ack), 2, out _);

        table.Flush();

        Assert.Equal(["198.18.0.3", "198.18.0.1"], recorder.Ended.Select(e => e.Flow.Initiator.ToString()));
        Assert.All(recorder.Ended, e => Assert.Equal(FlowEndReason.EndOfInput, e.Reason));
    }

    [Fact]
    public void Options_LingerLongerThanIdle_AreRejectedWithTheSettingsName()
    {
        var options = new FlowTableOptions { IdleTimeout = TimeSpan.FromSeconds(1), ClosedLinger = TimeSpan.FromSeconds(5) };

        var error = Assert.ThrowsAny<Exception>(options.Validate);
        Assert.Contains("ClosedLinger", error.Message, StringComparison.Ordinal);
    }
}
