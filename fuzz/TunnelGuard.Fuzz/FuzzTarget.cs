namespace TunnelGuard.Fuzz;

/// <summary>One fuzzed entry point: runs one input and throws <see cref="InvariantViolation"/> when the engine misbehaves.</summary>
internal interface IFuzzTarget
{
    string Name { get; }

    /// <summary>Runs one input. Any exception that escapes is a finding.</summary>
    void Run(ReadOnlySpan<byte> input);
}
