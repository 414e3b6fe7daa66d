using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>SOCKS request parsing and replies: SOCKS4 and 4a (the NEC and 4a specs) and SOCKS5 (RFC 1928).</summary>
internal sealed partial class SocksForwarder
{
    // RFC 1928 §6 reply codes.
    private const byte Socks5Succeeded = 0x00;
    private const byte Socks5GeneralFailure = 0x01;
    private const byte Socks5CommandNotSupported = 0x07;
    private const byte Socks5AddressTypeNotSupported = 0x08;

    // SOCKS4: 90 granted, 91 rejected or failed.
    private const byte Socks4Granted = 90;
    private const byte Socks4Rejected = 91;

    private const int MaxNameLength = 255;

    private static async Task<SocksRequest?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var version = new byte[1];
        if (await stream.ReadAsync(version, cancellationToken).ConfigureAwait(false) == 0)
        {
            return null;
        }

        return version[0] switch
        {
            4 => await ReadSocks4Async(stream, cancellationToken).ConfigureAwait(false),
            5 => await ReadSocks5Async(stream, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
    }

    private static async Task<SocksRequest?> ReadSocks4Async(Stream stream, CancellationToken cancellationToken)
    {
        // CD(1) DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL for 4a].
        var head = new byte[7];
        await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        var port = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(1));
        await ReadNulTerminatedAsync(stream, cancellationToken).ConfigureAwait(false);
        string host;

        // SOCKS4a: an address 0.0.0.x with x != 0 means "the host name follows the user id".
        if (head[3] == 0 && head[4] == 0 && head[5] == 0 && head[6] != 0)
        {
            host = await ReadNulTerminatedAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            host = new IPAddress(head.AsSpan(3, 4)).ToString();
        }

        if (head[0] != 1 || host.Length == 0)
        {
            await ReplySocks4Async(stream, Socks4Rejected, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return new SocksRequest(4, host, port);
    }

    private static async Task<SocksRequest?> ReadSocks5Async(Stream stream, CancellationToken cancellationToken)
    {
        // RFC 1928 §3: NMETHODS, METHODS; we offer only 0x00 (no authentication), 0xFF refuses.
        var count = new byte[1];
        await stream.ReadExactlyAsync(count, cancellationToken).ConfigureAwait(false);
        var methods = new byte[count[0]];
        await stream.ReadExactlyAsync(methods, cancellationToken).ConfigureAwait(false);
        var noAuth = Array.IndexOf(methods, (byte)0) >= 0;
        await stream.WriteAsync(new byte[] { 5, noAuth ? (byte)0 : (byte)0xFF }, cancellationToken).ConfigureAwait(false);
        if (!noAuth)
        {
            return null;
        }

        // RFC 1928 §4: VER CMD RSV ATYP DST.ADDR DST.PORT.
        var head = new byte[4];
        await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        string host;
        switch (head[3])
        {
            case 1:
                var v4 = new byte[4];
                await stream.ReadExactlyAsync(v4, cancellationToken).ConfigureAwait(false);
                host = new IPAddress(v4).ToString();
                break;
            case 3:
                var length = new byte[1];
                await stream.ReadExactlyAsync(length, cancellationToken).ConfigureAwait(false);
                var name = new byte[length[0]];
                await stream.ReadExactlyAsync(name, cancellationToken).ConfigureAwait(false);
                host = Encoding.ASCII.GetString(name);
                break;
            case 4:
                var v6 = new byte[16];
                await stream.ReadExactlyAsync(v6, cancellationToken).ConfigureAwait(false);
                host = new IPAddress(v6).ToString();
                break;
            default:
                await ReplySocks5Async(stream, Socks5AddressTypeNotSupported, cancellationToken).ConfigureAwait(false);
                return null;
        }

        var portBytes = new byte[2];
        await stream.ReadExactlyAsync(portBytes, cancellationToken).ConfigureAwait(false);
        if (head[0] != 5 || head[1] != 1)
        {
            await ReplySocks5Async(stream, Socks5CommandNotSupported, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return new SocksRequest(5, host, BinaryPrimitives.ReadUInt16BigEndian(portBytes));
    }

    private static Task ReplyAsync(Stream stream, SocksRequest request, bool success, CancellationToken cancellationToken) =>
        request.Version == 4
            ? ReplySocks4Async(stream, success ? Socks4Granted : Socks4Rejected, cancellationToken)
            : ReplySocks5Async(stream, success ? Socks5Succeeded : Socks5GeneralFailure, cancellationToken);

    private static async Task ReplySocks4Async(Stream stream, byte code, CancellationToken cancellationToken)
    {
        // Always the full 8 bytes: VN=0 CD DSTPORT DSTIP (ignored by clients).
        await stream.WriteAsync(new byte[] { 0, code, 0, 0, 0, 0, 0, 0 }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReplySocks5Async(Stream stream, byte code, CancellationToken cancellationToken)
    {
        // VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0, as OpenSSH answers.
        await stream.WriteAsync(new byte[] { 5, code, 0, 1, 0, 0, 0, 0, 0, 0 }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> ReadNulTerminatedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one, cancellationToken).ConfigureAwait(false);
            if (one[0] == 0)
            {
                return text.ToString();
            }

            if (text.Length == MaxNameLength)
            {
                throw new IOException("SOCKS4 user id or host name longer than 255 bytes");
            }

            text.Append((char)one[0]);
        }
    }
}
