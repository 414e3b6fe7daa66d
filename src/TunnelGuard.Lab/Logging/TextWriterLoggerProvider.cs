using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TunnelGuard.Lab.Logging;

/// <summary>
/// Writes log lines synchronously to one <see cref="TextWriter"/> (stderr for commands), so nothing is lost when a
/// short-lived command exits and tests can read what was logged.
/// </summary>
public sealed class TextWriterLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly LogLevel _minimum;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TextWriterLogger> _loggers = new(StringComparer.Ordinal);

    public TextWriterLoggerProvider(TextWriter writer, LogLevel minimum, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _minimum = minimum;
        _time = time ?? TimeProvider.System;
    }

    public ILogger CreateLogger(string categoryName) =>
        _loggers.GetOrAdd(categoryName, name => new TextWriterLogger(name, _writer, _minimum, _time));

    public void Dispose() => _writer.Flush();
}
