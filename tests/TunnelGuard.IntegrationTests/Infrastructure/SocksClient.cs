using System.Buffers.Binary;
using System.Net;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>Just enough SOCKS to open a CONNECT to an IPv4 address: SOCKS4 (no RFC; the NEC spec) and SOCKS5 (RFC 1928).</summary>
public static class SocksClient
{
    public static async Task ConnectSocks5Async(Stream stream, IPEndPoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(target);

        // RFC 1928 §3: version 5, one method, 0x00 = no authentication.
        await stream.WriteAsync(new byte[] { 5, 1, 0 }, cancellationToken).ConfigureAwait(false);
        var choice = new byte[2];
        await stream.ReadExactlyAsync(choice, cancellationToken).ConfigureAwait(false);
        if (choice[0] != 5 || choice[1] != 0)
        {
            throw new IOException($"SOCKS5 method selection refused: {Convert.ToHexString(choice)}");
        }

        // RFC 1928 §4: VER CMD=CONNECT RSV ATYP=IPv4 DST.ADDR DST.PORT.
        var request = new byte[10];
        request[0] = 5;
        request[1] = 1;
        request[3] = 1;
        target.Address.GetAddressBytes().CopyTo(request, 4);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(8), (ushort)target.Port);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);

        // RFC 1928 §6: VER REP RSV ATYP BND.ADDR BND.PORT; REP 0 is success.
        var reply = new byte[4];
        await stream.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
        if (reply[0] != 5 || reply[1] != 0)
        {
            throw new IOException($"SOCKS5 CONNECT refused: reply {Convert.ToHexString(reply)}");
        }

        var rest = reply[3] switch
        {
            1 => 4 + 2,
            4 => 16 + 2,
            _ => throw new IOException($"SOCKS5 reply with address type {reply[3]}"),
        };
        await stream.ReadExactlyAsync(new byte[rest], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SOCKS5 CONNECT naming the target by host name (ATYP 3), resolved by the SSH server.</summary>
    public static async Task ConnectSocks5ByNameAsync(Stream stream, string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(host);
        await stream.WriteAsync(new byte[] { 5, 1, 0 }, cancellationToken).ConfigureAwait(false);
        var choice = new byte[2];
        await stream.ReadExactlyAsync(choice, cancellationToken).ConfigureAwait(false);
        var name = System.Text.Encoding.ASCII.GetBytes(host);
        var request = new byte[5 + name.Length + 2];
        request[0] = 5;
        request[1] = 1;
        request[3] = 3;
        request[4] = (byte)name.Length;
        name.CopyTo(request, 5);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(5 + name.Length), (ushort)port);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var reply = new byte[10];
        await stream.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
        if (reply[0] != 5 || reply[1] != 0 || reply[3] != 1)
        {
            throw new IOException($"SOCKS5 CONNECT by name refused: reply {Convert.ToHexString(reply)}");
        }
    }

    /// <summary>SOCKS4a CONNECT: address 0.0.0.1 and the host name after the user id, resolved by the SSH server.</summary>
    public static async Task ConnectSocks4aAsync(Stream stream, string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(host);
        var name = System.Text.Encoding.ASCII.GetBytes(host);
        var request = new byte[8 + 4 + name.Length + 1];
        request[0] = 4;
        request[1] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), (ushort)port);
        request[7] = 1;
        "tgl\0"u8.CopyTo(request.AsSpan(8));
        name.CopyTo(request, 12);
        await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var reply = new byte[8];
        await stream.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
        if (reply[1] != 90)
        {
            throw new IOException($"SOCKS4a CONNECT refused: reply {Convert.ToHexString(reply)}");
        }
    }

    public static async Task ConnectSocks4Async(Stream stream, IPEndPoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(target);

        // VN=4 CD=1 DSTPORT DSTIP USERID NUL.
        var request = new byte[9 + 4];
        request[0] = 4;
        request[1] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), (ushort)target.Port);
        target.Address.GetAddressBytes().CopyTo(request, 4);
        "tgl\0"u8.CopyTo(request.AsSpan(8));
        await stream.WriteAsync(request.AsMemory(0, 12), cancellationToken).ConfigureAwait(false);

        // VN=0 CD=90 (granted) DSTPORT DSTIP.
        var reply = new byte[8];
        await stream.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
        if (reply[1] != 90)
        {
            throw new IOException($"SOCKS4 CONNECT refused: reply {Convert.ToHexString(reply)}");
        }
    }
}
