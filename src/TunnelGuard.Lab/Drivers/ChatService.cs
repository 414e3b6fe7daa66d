using System.Text;

namespace TunnelGuard.Lab.Drivers;

/// <summary>A line-based chat service: answers every line at once with a short line, and every fifth with a few more.</summary>
internal static class ChatService
{
    public static async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n", AutoFlush = true };
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteLineAsync("* welcome to the lab chat").ConfigureAwait(false);
            var count = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                count++;
                await writer.WriteLineAsync($"<bot> heard \"{line}\"").ConfigureAwait(false);
                if (count % 5 == 0)
                {
                    for (var i = 0; i < 4; i++)
                    {
                        await writer.WriteLineAsync($"<bot> line {i} of a longer answer to message {count}").ConfigureAwait(false);
                    }
                }
            }
        }
    }
}
