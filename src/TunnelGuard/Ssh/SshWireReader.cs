using System.Buffers.Binary;

namespace TunnelGuard.Ssh;

/// <summary>A bounds-checked reader of SSH wire types (RFC 4251 §5) over a span; every read says whether it fit.</summary>
internal ref struct SshWireReader
{
    private ReadOnlySpan<byte> _rest;

    public SshWireReader(ReadOnlySpan<byte> data) => _rest = data;

    public readonly int Remaining => _rest.Length;

    public bool TryReadByte(out byte value)
    {
        value = 0;
        if (_rest.IsEmpty)
        {
            return false;
        }

        value = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        value = 0;
        if (_rest.Length < 4)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(_rest);
        _rest = _rest[4..];
        return true;
    }

    /// <summary>Reads a name-list; <paramref name="claimed"/> tells the length the sender claimed, for error messages.</summary>
    public bool TryReadNameList(out string value, out uint claimed)
    {
        value = string.Empty;
        if (!TryReadUInt32(out claimed) || claimed > (uint)_rest.Length)
        {
            return false;
        }

        value = KexInitCache.Name(_rest[..(int)claimed]);
        _rest = _rest[(int)claimed..];
        return true;
    }
}
