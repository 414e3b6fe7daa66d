namespace TunnelGuard.Classification;

/// <summary>
/// What the encrypted part of an SSH connection looked like up to a point in time, by SSH role (c2s: sent by the
/// client). The numbers the heuristics reason with and the vector the model is trained on.
/// </summary>
public sealed record ShapeFeatures
{
    /// <summary>Names of <see cref="ToVector"/>'s entries, in order.</summary>
    public static readonly string[] Names =
    [
        "seconds", "log_pkts_c2s", "log_pkts_s2c", "log_bytes_c2s", "log_bytes_s2c", "ratio_s2c",
        "keys_c2s", "keys_s2c", "echo_c2s", "echo_s2c", "late_echo_c2s", "late_echo_s2c", "nested_c2s", "nested_s2c",
        "large_frac_c2s", "large_frac_s2c", "log_burst_c2s", "log_burst_s2c", "log_acks_c2s", "log_acks_s2c",
        "median_gap_ms", "idle_gaps", "max_gap_s", "chaff", "server_first_opens", "distinct_open_sizes", "requests",
        "small_frac_c2s", "small_frac_s2c",
    ];

    public double Seconds { get; init; }

    public long PacketsC2S { get; init; }

    public long PacketsS2C { get; init; }

    public long BytesC2S { get; init; }

    public long BytesS2C { get; init; }

    /// <summary>Keystroke-sized packets sent by the client / by the server.</summary>
    public int KeysC2S { get; init; }

    public int KeysS2C { get; init; }

    /// <summary>Keystrokes typed on the client side and echoed by the server within milliseconds (a shell's echo).</summary>
    public int EchoC2S { get; init; }

    /// <summary>Keystrokes typed on the server side and echoed by the client: someone types into the client's machine.</summary>
    public int EchoS2C { get; init; }

    /// <summary>Echoes that came 20–300 ms late: a line service or shell behind a tunnel, not the session's own shell.</summary>
    public int LateEchoC2S { get; init; }

    public int LateEchoS2C { get; init; }

    /// <summary>Keystrokes of an SSH session nested inside this one (their size, answered by the same size): per side.</summary>
    public int NestedC2S { get; init; }

    public int NestedS2C { get; init; }

    public double LargeFractionC2S { get; init; }

    public double LargeFractionS2C { get; init; }

    public double SmallFractionC2S { get; init; }

    public double SmallFractionS2C { get; init; }

    /// <summary>Most bytes sent within one second, per direction.</summary>
    public long BurstC2S { get; init; }

    public long BurstS2C { get; init; }

    public long AcksC2S { get; init; }

    public long AcksS2C { get; init; }

    public double MedianGapMs { get; init; }

    /// <summary>Silences over 5 s, and the longest silence.</summary>
    public int IdleGaps { get; init; }

    public double MaxGapSeconds { get; init; }

    /// <summary>Same-size packets on a 20 ms grid: OpenSSH ≥ 9.5 keystroke-timing obfuscation.</summary>
    public int Chaff { get; init; }

    /// <summary>
    /// Sizes (minus a keystroke's) of the first client and server packets after authentication succeeded. For the
    /// heuristics only, not in <see cref="ToVector"/>: what a client sends first is its own habit (SSH.NET's first packet
    /// is no channel open), and a model trained on them called every client it had not seen a tunnel.
    /// </summary>
    public int AfterAuthC1 { get; init; }

    public int AfterAuthC2 { get; init; }

    public int AfterAuthS1 { get; init; }

    public int AfterAuthS2 { get; init; }

    /// <summary>Mid-sized server packets that start an exchange after a client silence: channels opened by the server (-R).</summary>
    public int ServerFirstOpens { get; init; }

    /// <summary>Distinct sizes of client packets that start an exchange after a silence: many destinations (-D).</summary>
    public int DistinctOpenSizes { get; init; }

    /// <summary>Client packets that start an exchange after a silence of at least 50 ms (requests, channel opens).</summary>
    public int Requests { get; init; }

    public int KeystrokeSize { get; init; }

    /// <summary>Number of entries of <see cref="ToVector"/>.</summary>
    public static int VectorLength => Names.Length;

    public float[] ToVector()
    {
        var vector = new float[VectorLength];
        WriteVector(vector);
        return vector;
    }

    /// <summary>Writes <see cref="ToVector"/>'s entries into <paramref name="vector"/> (at least <see cref="VectorLength"/> long), for a caller that scores or writes them without keeping them.</summary>
    public void WriteVector(Span<float> vector)
    {
        ReadOnlySpan<float> values =
        [
            (float)Seconds, Log(PacketsC2S), Log(PacketsS2C), Log(BytesC2S), Log(BytesS2C), Ratio(BytesS2C, BytesC2S + BytesS2C),
            KeysC2S, KeysS2C, EchoC2S, EchoS2C, LateEchoC2S, LateEchoS2C, NestedC2S, NestedS2C,
            (float)LargeFractionC2S, (float)LargeFractionS2C, Log(BurstC2S), Log(BurstS2C), Log(AcksC2S), Log(AcksS2C),
            (float)MedianGapMs, IdleGaps, (float)MaxGapSeconds, Chaff, ServerFirstOpens, DistinctOpenSizes, Requests,
            (float)SmallFractionC2S, (float)SmallFractionS2C,
        ];
        values.CopyTo(vector);
    }

    private static float Log(long value) => (float)Math.Log(1 + value);

    private static float Ratio(long part, long whole) => whole == 0 ? 0.5f : (float)part / whole;
}
