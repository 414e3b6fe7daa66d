namespace TunnelGuard.Cli;

/// <summary>The process's standard streams and whether each is a terminal; tests pass writers and false.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool OutIsTerminal, bool ErrorIsTerminal)
{
    public static CliConsole System() => new(Console.Out, Console.Error, !Console.IsOutputRedirected, !Console.IsErrorRedirected);
}
