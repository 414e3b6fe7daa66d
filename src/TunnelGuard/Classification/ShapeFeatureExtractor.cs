using System.Buffers;
using TunnelGuard.Shape;

namespace TunnelGuard.Classification;

/// <summary>Computes <see cref="ShapeFeatures"/> from a connection's recorded encrypted segments up to a time.</summary>
public static class ShapeFeatureExtractor
{
    private const long EchoWindow = 20_000;
    private const long LateEchoWindow = 300_000;
    // No packet either way for this long, bare ACKs included, before a request or a server-opened exchange. Counting
    // ACKs matters: a segment Nagle held until the peer's 40 ms delayed ACK comes 40-50 ms after the data before it,
    // just short of this, and a few milliseconds of capture jitter pushed such replies of an exec over it (issue 4).
    private const long Silence = 50_000;
    private const long IdleGap = 5_000_000;
    private const int LargeSegment = 1000;

    // Requests up to this size count towards the distinct destinations a SOCKS client opens.
    private const int MaxOpenSize = 400;

    // A packet this large within the last 50 ms means bulk data is moving: the keystroke-sized packets around it are
    // window adjustments and protocol messages (rsync, sftp), not typing. Half a full segment, so that the short tail
    // of a 32 KiB record (22 × 1448 + 948) counts too.
    private const int BulkSegment = 512;

    // Inner keystroke sizes of the common ciphers (umac-etm, AEAD, hmac-etm, hmac): a nested session's keystrokes.
    private static readonly int[] InnerKeystrokes = [28, 36, 52, 64];

    public static ShapeFeatures Extract(ShapeRecorder recorder, int clientDirection, SshPacketSizer? sizer, long untilMicros)
    {
        var times = recorder.Times;
        var sizes = recorder.Sizes;
        var dirs = recorder.Directions;
        var quiet = recorder.Quiet;
        var n = 0;
        while (n < times.Length && times[n] <= untilMicros)
        {
            n++;
        }

        var key = sizer?.Keystroke ?? -1;
        Span<int> nested = stackalloc int[InnerKeystrokes.Length];
        for (var i = 0; i < nested.Length; i++)
        {
            nested[i] = sizer?.NestedKeystroke(InnerKeystrokes[i]) ?? -1;
        }

        var client = default(DirectionTally);
        var server = default(DirectionTally);
        int idle = 0, serverOpens = 0, requests = 0;
        long maxGap = 0;
        // Scratch for the median gap, rented: a long connection has thousands of events and is judged many times.
        var rentedGaps = ArrayPool<long>.Shared.Rent(Math.Max(1, n - 1));
        var gaps = rentedGaps.AsSpan(0, Math.Max(0, n - 1));

        // Distinct request sizes up to MaxOpenSize, one bit each.
        Span<ulong> openSizes = stackalloc ulong[(MaxOpenSize / 64) + 1];
        openSizes.Clear();
        var distinctOpenSizes = 0;
        var authAt = AuthInference.SuccessIndex(sizes, dirs, n, clientDirection, sizer);
        Span<int> afterAuthC = stackalloc int[2];
        Span<int> afterAuthS = stackalloc int[2];
        int seenC = 0, seenS = 0;
        var lastBulk = long.MinValue / 2;
        for (var i = 0; i < n; i++)
        {
            var c2s = dirs[i] == clientDirection;
            var size = sizes[i];
            var gapBefore = i == 0 ? 0 : times[i] - times[i - 1];

            // Window adjustments during bulk have a keystroke's size too; chaff is not typing either.
            var bulkContext = times[i] - lastBulk < Silence;
            lastBulk = size >= BulkSegment ? times[i] : lastBulk;
            if (i > 0)
            {
                gaps[i - 1] = gapBefore;
                maxGap = Math.Max(maxGap, gapBefore);
                idle += gapBefore > IdleGap ? 1 : 0;
            }

            // A nested session's keystroke counts when the other side answers with the same size: its echo.
            var isNested = !bulkContext && nested.Contains(size) && size != key && EchoDelay(times, sizes, dirs, n, i, size) is >= 0 and <= LateEchoWindow;
            ref var side = ref c2s ? ref client : ref server;
            var chaff = side.Add(times[i], size, LargeSegment, key + 16, isNested);

            if (size == key && !bulkContext && !chaff)
            {
                side.Keys++;

                // OpenSSH's chaff leaves the client every 20 ms and the server answers each tick at once, so the next
                // tick follows the answer by just under 20 ms, the echo window itself: a client packet on its own 20 ms
                // grid is the clock, not an echo of something typed on the server side.
                var echo = EchoDelay(times, sizes, dirs, n, i, key, skipChaff: !c2s);
                if (echo >= 0 && echo <= EchoWindow)
                {
                    side.Echoes++;
                }
                else if (echo > EchoWindow && echo <= LateEchoWindow)
                {
                    side.LateEchoes++;
                }
            }

            if (authAt < 0 || i <= authAt)
            {
                continue;
            }

            if (c2s && seenC < 2)
            {
                afterAuthC[seenC++] = size - key;
            }
            else if (!c2s && seenS < 2)
            {
                afterAuthS[seenS++] = size - key;
            }

            if (quiet[i] >= Silence && size > key && size < LargeSegment)
            {
                if (c2s)
                {
                    requests++;
                    if (size <= MaxOpenSize)
                    {
                        ref var word = ref openSizes[size >> 6];
                        var bit = 1UL << (size & 63);
                        distinctOpenSizes += (word & bit) == 0 ? 1 : 0;
                        word |= bit;
                    }
                }
                else if (size >= key + 40)
                {
                    serverOpens++;
                }
            }
        }

        gaps.Sort();
        var medianGap = gaps.Length == 0 ? 0 : gaps[gaps.Length / 2];
        ArrayPool<long>.Shared.Return(rentedGaps);
        var (burstC, burstS) = Bursts(times, sizes, dirs, n, clientDirection);
        var clientAcks = clientDirection == 0 ? recorder.BareAcks0 : recorder.BareAcks1;
        var serverAcks = clientDirection == 0 ? recorder.BareAcks1 : recorder.BareAcks0;
        return new ShapeFeatures
        {
            Seconds = n == 0 ? 0 : (untilMicros - recorder.StartMicros) / 1e6,
            PacketsC2S = client.Packets,
            PacketsS2C = server.Packets,
            BytesC2S = client.Bytes,
            BytesS2C = server.Bytes,
            KeysC2S = client.Keys,
            KeysS2C = server.Keys,
            EchoC2S = client.Echoes,
            EchoS2C = server.Echoes,
            LateEchoC2S = client.LateEchoes,
            LateEchoS2C = server.LateEchoes,
            NestedC2S = client.Nested,
            NestedS2C = server.Nested,
            LargeFractionC2S = client.Fraction(client.Large),
            LargeFractionS2C = server.Fraction(server.Large),
            SmallFractionC2S = client.Fraction(client.Small),
            SmallFractionS2C = server.Fraction(server.Small),
            BurstC2S = burstC,
            BurstS2C = burstS,
            AcksC2S = clientAcks,
            AcksS2C = serverAcks,
            MedianGapMs = medianGap / 1000.0,
            IdleGaps = idle,
            MaxGapSeconds = maxGap / 1e6,
            Chaff = client.Chaff + server.Chaff,
            AfterAuthC1 = afterAuthC[0],
            AfterAuthC2 = afterAuthC[1],
            AfterAuthS1 = afterAuthS[0],
            AfterAuthS2 = afterAuthS[1],
            ServerFirstOpens = serverOpens,
            DistinctOpenSizes = distinctOpenSizes,
            Requests = requests,
            KeystrokeSize = key,
        };
    }

    /// <summary>
    /// Delay until the other side's next packet if it has the keystroke's size; -1 when it does not, or, with
    /// <paramref name="skipChaff"/>, when that packet sits on its side's 20 ms chaff grid.
    /// </summary>
    private static long EchoDelay(ReadOnlySpan<long> times, ReadOnlySpan<int> sizes, ReadOnlySpan<byte> dirs, int n, int i, int key, bool skipChaff = false)
    {
        for (var j = i + 1; j < n && times[j] - times[i] <= LateEchoWindow; j++)
        {
            if (dirs[j] != dirs[i])
            {
                return sizes[j] != key || (skipChaff && OnChaffGrid(times, sizes, dirs, j)) ? -1 : times[j] - times[i];
            }
        }

        return -1;
    }

    /// <summary>Whether event j has the size of its side's previous packet and comes one chaff period after it.</summary>
    private static bool OnChaffGrid(ReadOnlySpan<long> times, ReadOnlySpan<int> sizes, ReadOnlySpan<byte> dirs, int j)
    {
        for (var k = j - 1; k >= 0 && times[j] - times[k] <= DirectionTally.ChaffPeriod + DirectionTally.ChaffTolerance; k--)
        {
            if (dirs[k] == dirs[j])
            {
                return sizes[k] == sizes[j] && Math.Abs(times[j] - times[k] - DirectionTally.ChaffPeriod) <= DirectionTally.ChaffTolerance;
            }
        }

        return false;
    }

    private static (long C2S, long S2C) Bursts(ReadOnlySpan<long> times, ReadOnlySpan<int> sizes, ReadOnlySpan<byte> dirs, int n, int clientDirection)
    {
        long bestC = 0, bestS = 0, sumC = 0, sumS = 0;
        var start = 0;
        for (var i = 0; i < n; i++)
        {
            if (dirs[i] == clientDirection)
            {
                sumC += sizes[i];
            }
            else
            {
                sumS += sizes[i];
            }

            while (times[i] - times[start] > 1_000_000)
            {
                if (dirs[start] == clientDirection)
                {
                    sumC -= sizes[start];
                }
                else
                {
                    sumS -= sizes[start];
                }

                start++;
            }

            bestC = Math.Max(bestC, sumC);
            bestS = Math.Max(bestS, sumS);
        }

        return (bestC, bestS);
    }
}
