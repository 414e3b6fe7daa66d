using System.Text;

namespace TunnelGuard.Cli;

/// <summary>
/// The process's standard streams and whether each is a terminal; tests pass writers and false. <see cref="OpenOutStream"/>
/// opens standard output as bytes, for output written as UTF-8 without going through <see cref="Out"/>; it is null when
/// that would not give the bytes <see cref="Out"/> writes (another encoding, or a test's writer).
/// </summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool OutIsTerminal, bool ErrorIsTerminal, Func<Stream>? OpenOutStream = null)
{
    public static CliConsole System() => new(
        Console.Out,
        Console.Error,
        !Console.IsOutputRedirected,
        !Console.IsErrorRedirected,
        Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage ? Console.OpenStandardOutput : null);
}
