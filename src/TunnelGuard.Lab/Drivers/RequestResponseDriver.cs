using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace TunnelGuard.Lab.Drivers;

/// <summary>
/// Request/response over one keep-alive HTTP connection: small requests (a path and a few headers), medium replies
/// (2–40 KB), think times of 0.2–1.5 s between them, all drawn from the seed.
/// </summary>
public static class RequestResponseDriver
{
    public static async Task<int> RunAsync(string host, int port, int requests, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        var stream = client.GetStream();
        for (var i = 0; i < requests; i++)
        {
            var size = random.Next(2_000, 40_000);
            var request = $"GET /api/item/{i}/bytes/{size} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tglab-rr/1\r\nAccept: */*\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken).ConfigureAwait(false);
            var length = await ReadResponseHeadAsync(stream, cancellationToken).ConfigureAwait(false);
            if (!await PatternBytes.DrainAsync(stream, length, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("request/response: reply cut short");
            }

            await Task.Delay(random.Next(200, 1_500), cancellationToken).ConfigureAwait(false);
        }

        return requests;
    }

    private static async Task<long> ReadResponseHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("request/response: connection closed before a reply");
            }

            head.Append((char)one[0]);
        }

        foreach (var line in head.ToString().Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return long.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new IOException("request/response: reply without Content-Length");
    }
}
