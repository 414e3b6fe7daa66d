using System.Net.Sockets;
using System.Text;

namespace TunnelGuard.Lab.Drivers;

/// <summary>Holds one connection through a tunnel open and silent, with one short echo exchange at each end of the wait.</summary>
public static class IdleDriver
{
    public static async Task RunAsync(string host, int port, TimeSpan idle, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        var stream = client.GetStream();
        await PingAsync(stream, "hello\n", cancellationToken).ConfigureAwait(false);
        await Task.Delay(idle, cancellationToken).ConfigureAwait(false);
        await PingAsync(stream, "still there?\n", cancellationToken).ConfigureAwait(false);
    }

    private static async Task PingAsync(NetworkStream stream, string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.ReadExactlyAsync(new byte[bytes.Length], cancellationToken).ConfigureAwait(false);
    }
}
