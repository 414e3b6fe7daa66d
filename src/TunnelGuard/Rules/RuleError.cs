using TunnelGuard.Reporting;

namespace TunnelGuard.Rules;

/// <summary>
/// One mistake in a rule file, printed as <c>file:line:col: message</c>. The message quotes the file's text, so its
/// control characters are escaped here: a broken file must not write ANSI escapes or extra lines into the monitor's log.
/// </summary>
public sealed record RuleError(SourcePosition Position, string Message)
{
    public string Message { get; init; } = PrintableText.Escape(Message);

    public override string ToString() => $"{Position}: {Message}";
}
