using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TunnelGuard.Lab.Logging;

/// <summary>One category's logger for <see cref="TextWriterLoggerProvider"/>: <c>time level category[event]: message</c>.</summary>
internal sealed class TextWriterLogger(string category, TextWriter writer, LogLevel minimum, TimeProvider time) : ILogger
{
    private readonly string _shortCategory = category[(category.LastIndexOf('.') + 1)..];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var stamp = time.GetUtcNow().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var line = $"{stamp} {LevelName(logLevel)} {_shortCategory}[{eventId.Id}]: {formatter(state, exception)}";
        lock (writer)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };
}
