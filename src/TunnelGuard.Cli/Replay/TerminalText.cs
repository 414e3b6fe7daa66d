using System.Text;

namespace TunnelGuard.Cli.Replay;

/// <summary>Makes strings from the wire safe to print on a terminal: control characters (ANSI escapes) become \xNN.</summary>
internal static class TerminalText
{
    public static string Safe(string? value, int max = 48)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "-";
        }

        var builder = new StringBuilder(Math.Min(value.Length, max + 8));
        foreach (var c in value)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }

            if (char.IsControl(c))
            {
                builder.Append($"\\x{(int)c:x2}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
