using System.Buffers.Binary;
using TunnelGuard.Flows;

namespace TunnelGuard.Fuzz.Targets;

/// <summary>
/// <see cref="StreamPrefix"/> over a list of segments. Input: one byte choosing the cap (1 KiB × 2^(b % 7)), then
/// records of [flags:1][sequence:4 LE][length:2 LE][payload]. Flag bit 0 calls OnSyn(sequence) first, bit 1 calls
/// Release() after. The prefix must never pass its cap, never shrink, and must close once full.
/// </summary>
internal sealed class ReassemblyTarget : IFuzzTarget
{
    public const int HeaderLength = 7;

    public string Name => "reassembly";

    public static int Cap(byte selector) => 1024 << (selector % 7);

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var cap = Cap(input[0]);
        var prefix = new StreamPrefix(cap);
        var rest = input[1..];
        var released = false;
        while (rest.Length >= HeaderLength)
        {
            var flags = rest[0];
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(rest[1..]);
            var length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(rest[5..]), rest.Length - HeaderLength);
            var payload = rest.Slice(HeaderLength, length);
            rest = rest[(HeaderLength + length)..];

            if ((flags & 1) != 0)
            {
                prefix.OnSyn(sequence);
            }

            var before = prefix.ContiguousLength;
            var grew = prefix.Add(sequence, payload);
            var after = prefix.ContiguousLength;
            InvariantViolation.Check(after <= cap, $"prefix of {after} bytes past its {cap}-byte cap");
            InvariantViolation.Check(released ? after == 0 : after >= before, $"prefix went from {before} to {after} bytes");
            InvariantViolation.Check(grew == (after > before), $"Add returned {grew} but the prefix went from {before} to {after}");
            InvariantViolation.Check(prefix.Contiguous.Length == after, "Contiguous span length differs from ContiguousLength");
            InvariantViolation.Check(after < cap || prefix.IsClosed, "a full prefix did not close");

            if ((flags & 2) != 0)
            {
                prefix.Release();
                released = true;
            }
        }

        prefix.Release();
    }
}
