using System.CommandLine.Parsing;

namespace TunnelGuard.Cli.Commands;

/// <summary>An option's value inside a validator, which System.CommandLine runs even when the text did not convert.</summary>
internal static class OptionValue
{
    /// <summary>
    /// False when the option's text is not a <typeparamref name="T"/> ("--threads x"): the parser reports that itself as a
    /// usage error, and the validator has nothing to check. Reading the value then threw out of the parser, and a bad
    /// number on the command line ended the process with a stack trace.
    /// </summary>
    public static bool TryGet<T>(OptionResult result, out T? value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }
}
