namespace TunnelGuard.Classification;

/// <summary>Running counts of one direction's encrypted segments while features are extracted.</summary>
internal struct DirectionTally
{
    public const long ChaffPeriod = 20_000;
    public const long ChaffTolerance = 3_000;

    private long _lastTime;
    private int _lastSize;

    public long Packets;
    public long Bytes;
    public int Large;
    public int Small;
    public int Keys;
    public int Echoes;
    public int LateEchoes;
    public int Nested;
    public int Chaff;

    /// <summary>Counts a segment; true when it sits on OpenSSH's 20 ms chaff grid (same size, 20 ms after the last).</summary>
    public bool Add(long time, int size, int largeSegment, int smallLimit, bool nested)
    {
        var onGrid = Packets > 0 && size == _lastSize && Math.Abs(time - _lastTime - ChaffPeriod) <= ChaffTolerance;
        Packets++;
        Bytes += size;
        Large += size >= largeSegment ? 1 : 0;
        Small += size <= smallLimit ? 1 : 0;
        Nested += nested ? 1 : 0;
        Chaff += onGrid ? 1 : 0;
        _lastTime = time;
        _lastSize = size;
        return onGrid;
    }

    public readonly double Fraction(int count) => Packets == 0 ? 0 : (double)count / Packets;
}
