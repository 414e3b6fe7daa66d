using TunnelGuard.Shape;

namespace TunnelGuard.Classification;

/// <summary>Computes <see cref="ShapeFeatures"/> from a connection's recorded encrypted segments up to a time.</summary>
public static class ShapeFeatureExtractor
{
    private const long EchoWindow = 20_000;
    private const long LateEchoWindow = 300_000;
    private const long Silence = 50_000;
    private const long IdleGap = 5_000_000;
    private const int LargeSegment = 1000;

    // Inner keystroke sizes of the common ciphers (umac-etm, AEAD, hmac-etm, hmac): a nested session's keystrokes.
    private static readonly int[] InnerKeystrokes = [28, 36, 52, 64];

    public static ShapeFeatures Extract(ShapeRecorder recorder, int clientDirection, SshPacketSizer? sizer, long untilMicros)
    {
        var times = recorder.Times;
        var sizes = recorder.Sizes;
        var dirs = recorder.Directions;
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

        long pC = 0, pS = 0, bC = 0, bS = 0;
        int keysC = 0, keysS = 0, echoC = 0, echoS = 0, lateC = 0, lateS = 0, nestC = 0, nestS = 0;
        int largeC = 0, largeS = 0, smallC = 0, smallS = 0, idle = 0, chaff = 0, serverOpens = 0, requests = 0;
        long maxGap = 0;
        var gaps = new long[Math.Max(0, n - 1)];
        var openSizes = new HashSet<int>();
        var authAt = FindAuthSuccess(sizes, dirs, n, clientDirection, sizer);
        int c1 = 0, c2 = 0, s1 = 0, s2 = 0, seenC = 0, seenS = 0;
        long lastC = -1, lastS = -1;
        int lastSizeC = -1, lastSizeS = -1;
        for (var i = 0; i < n; i++)
        {
            var c2s = dirs[i] == clientDirection;
            var size = sizes[i];
            var gapBefore = i == 0 ? 0 : times[i] - times[i - 1];
            if (i > 0)
            {
                gaps[i - 1] = gapBefore;
                maxGap = Math.Max(maxGap, gapBefore);
                if (gapBefore > IdleGap)
                {
                    idle++;
                }
            }

            // A nested session's keystroke counts when the other side answers with the same size: its echo.
            var isNested = nested.Contains(size) && size != key && EchoDelay(times, sizes, dirs, n, i, size) is >= 0 and <= LateEchoWindow;
            var bulkContext = i > 0 && gapBefore < Silence && sizes[i - 1] >= LargeSegment;
            if (c2s)
            {
                pC++;
                bC += size;
                largeC += size >= LargeSegment ? 1 : 0;
                smallC += size <= key + 16 ? 1 : 0;
                nestC += isNested ? 1 : 0;
                chaff += lastC >= 0 && size == lastSizeC && Math.Abs(times[i] - lastC - 20_000) <= 3_000 ? 1 : 0;
                lastC = times[i];
                lastSizeC = size;
            }
            else
            {
                pS++;
                bS += size;
                largeS += size >= LargeSegment ? 1 : 0;
                smallS += size <= key + 16 ? 1 : 0;
                nestS += isNested ? 1 : 0;
                chaff += lastS >= 0 && size == lastSizeS && Math.Abs(times[i] - lastS - 20_000) <= 3_000 ? 1 : 0;
                lastS = times[i];
                lastSizeS = size;
            }

            if (size == key && !bulkContext)
            {
                if (c2s)
                {
                    keysC++;
                }
                else
                {
                    keysS++;
                }

                var echo = EchoDelay(times, sizes, dirs, n, i, key);
                if (echo >= 0 && echo <= EchoWindow)
                {
                    echoC += c2s ? 1 : 0;
                    echoS += c2s ? 0 : 1;
                }
                else if (echo > EchoWindow && echo <= LateEchoWindow)
                {
                    lateC += c2s ? 1 : 0;
                    lateS += c2s ? 0 : 1;
                }
            }

            if (authAt >= 0 && i > authAt)
            {
                if (c2s && seenC < 2)
                {
                    if (seenC++ == 0)
                    {
                        c1 = size - key;
                    }
                    else
                    {
                        c2 = size - key;
                    }
                }
                else if (!c2s && seenS < 2)
                {
                    if (seenS++ == 0)
                    {
                        s1 = size - key;
                    }
                    else
                    {
                        s2 = size - key;
                    }
                }

                var afterSilence = gapBefore >= Silence;
                if (afterSilence && size > key && size < LargeSegment)
                {
                    if (c2s)
                    {
                        requests++;
                        if (size <= 400)
                        {
                            openSizes.Add(size);
                        }
                    }
                    else if (size >= key + 40)
                    {
                        serverOpens++;
                    }
                }
            }
        }

        Array.Sort(gaps);
        var (burstC, burstS) = Bursts(times, sizes, dirs, n, clientDirection);
        var clientAcks = clientDirection == 0 ? recorder.BareAcks0 : recorder.BareAcks1;
        var serverAcks = clientDirection == 0 ? recorder.BareAcks1 : recorder.BareAcks0;
        return new ShapeFeatures
        {
            Seconds = n == 0 ? 0 : (untilMicros - recorder.StartMicros) / 1e6,
            PacketsC2S = pC,
            PacketsS2C = pS,
            BytesC2S = bC,
            BytesS2C = bS,
            KeysC2S = keysC,
            KeysS2C = keysS,
            EchoC2S = echoC,
            EchoS2C = echoS,
            LateEchoC2S = lateC,
            LateEchoS2C = lateS,
            NestedC2S = nestC,
            NestedS2C = nestS,
            LargeFractionC2S = pC == 0 ? 0 : (double)largeC / pC,
            LargeFractionS2C = pS == 0 ? 0 : (double)largeS / pS,
            SmallFractionC2S = pC == 0 ? 0 : (double)smallC / pC,
            SmallFractionS2C = pS == 0 ? 0 : (double)smallS / pS,
            BurstC2S = burstC,
            BurstS2C = burstS,
            AcksC2S = clientAcks,
            AcksS2C = serverAcks,
            MedianGapMs = gaps.Length == 0 ? 0 : gaps[gaps.Length / 2] / 1000.0,
            IdleGaps = idle,
            MaxGapSeconds = maxGap / 1e6,
            Chaff = chaff,
            AfterAuthC1 = c1,
            AfterAuthC2 = c2,
            AfterAuthS1 = s1,
            AfterAuthS2 = s2,
            ServerFirstOpens = serverOpens,
            DistinctOpenSizes = openSizes.Count,
            Requests = requests,
            KeystrokeSize = key,
        };
    }

    /// <summary>Delay until the other side's next packet if it has the keystroke's size; -1 when it does not.</summary>
    private static long EchoDelay(ReadOnlySpan<long> times, ReadOnlySpan<int> sizes, ReadOnlySpan<byte> dirs, int n, int i, int key)
    {
        for (var j = i + 1; j < n && times[j] - times[i] <= LateEchoWindow; j++)
        {
            if (dirs[j] != dirs[i])
            {
                return sizes[j] == key ? times[j] - times[i] : -1;
            }
        }

        return -1;
    }

    /// <summary>The USERAUTH_SUCCESS packet: the first small server packet of a one-byte payload's size.</summary>
    private static int FindAuthSuccess(ReadOnlySpan<int> sizes, ReadOnlySpan<byte> dirs, int n, int clientDirection, SshPacketSizer? sizer)
    {
        if (sizer is null)
        {
            return -1;
        }

        var success = sizer.ForPayload(1);
        for (var i = 0; i < Math.Min(n, 40); i++)
        {
            if (dirs[i] != clientDirection && sizes[i] == success)
            {
                return i;
            }
        }

        return -1;
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
