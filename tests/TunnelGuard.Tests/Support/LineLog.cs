namespace TunnelGuard.Tests.Support;

/// <summary>Collects a child process's output lines in the background, so a test can wait for a line and count lines later.</summary>
internal sealed class LineLog
{
    private readonly List<string> _lines = [];

    public LineLog(StreamReader reader) =>
        _ = Task.Run(() =>
        {
            while (reader.ReadLine() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        });

    public string Text
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public int Count(string text)
    {
        lock (_lines)
        {
            return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Waits until a line contains <paramref name="text"/>; fails the test with everything read so far after <paramref name="seconds"/>.</summary>
    public void WaitFor(string text, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Count(text) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"never saw '{text}' in:\n{Text}");
            Thread.Sleep(100);
        }
    }
}
