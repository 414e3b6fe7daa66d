namespace TunnelGuard.Fuzz;

/// <summary>
/// Wraps a target so that one input which allocates far more than its own size counts as a finding: the fuzzer
/// reports an exception, not a slow death by memory.
/// </summary>
internal static class Budget
{
    // AFL++ writes inputs up to 1 MiB; larger ones are cut so that the allocation budget stays meaningful.
    public const int MaxInput = 1024 * 1024;

    // Generous: a whole pipeline run with a few hundred flows allocates a few MiB. Growth with input size is allowed
    // at 64 bytes per input byte, so only allocation out of proportion to the input trips it.
    private const long FixedAllowance = 32L * 1024 * 1024;
    private const long PerInputByte = 64;

    public static void Run(IFuzzTarget target, ReadOnlySpan<byte> input)
    {
        if (input.Length > MaxInput)
        {
            input = input[..MaxInput];
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        target.Run(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var allowed = FixedAllowance + (PerInputByte * input.Length);
        InvariantViolation.Check(allocated <= allowed, $"{target.Name}: one {input.Length}-byte input allocated {allocated} bytes (budget {allowed})");
    }
}
