using System.Globalization;
using System.Text;

namespace TunnelGuard.Lab.Drivers;

/// <summary>
/// A minimal HTTP/1.1 server with keep-alive: <c>GET /bytes/N</c> (any path ending in a number) answers N bytes;
/// other paths answer a small HTML page. Request bodies (Content-Length) are read and discarded.
/// </summary>
internal static class HttpService
{
    private const int MaxHeaderBytes = 16 * 1024;

    public static async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false) is { } head)
        {
            var lines = head.Split("\r\n");
            var parts = lines[0].Split(' ');
            var path = parts.Length > 1 ? parts[1] : "/";
            long contentLength = 0;
            var close = false;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    contentLength = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    close = true;
                }
            }

            await PatternBytes.DrainAsync(stream, contentLength, cancellationToken).ConfigureAwait(false);
            var last = path.TrimEnd('/').Split('/')[^1];
            var isBytes = long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var size);
            var page = isBytes ? [] : Encoding.ASCII.GetBytes("<html><body><p>TunnelGuard lab</p></body></html>\n");
            var length = isBytes ? size : page.Length;
            var type = isBytes ? "application/octet-stream" : "text/html";
            var response = $"HTTP/1.1 200 OK\r\nContent-Type: {type}\r\nContent-Length: {length}\r\n{(close ? "Connection: close\r\n" : string.Empty)}\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
            if (isBytes)
            {
                await PatternBytes.WriteAsync(stream, size, (ulong)size, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await stream.WriteAsync(page, cancellationToken).ConfigureAwait(false);
            }

            if (close)
            {
                return;
            }
        }
    }

    /// <summary>Reads up to the blank line that ends the request head; null at a clean end of stream.</summary>
    private static async Task<string?> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>(512);
        var one = new byte[1];
        while (head.Count < MaxHeaderBytes)
        {
            if (await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }

            head.Add(one[0]);
            var n = head.Count;
            if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
            {
                return Encoding.ASCII.GetString([.. head], 0, n - 4);
            }
        }

        throw new IOException("request head too long");
    }
}
