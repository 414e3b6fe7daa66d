using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TunnelGuard.Rules;

/// <summary>Durations as written in rule files and on the command line: <c>30s</c>, <c>10m</c>, <c>1h30m</c>, <c>7d</c>, <c>2w</c>, or <c>0</c>.</summary>
public static class DurationText
{
    public const string Expected = "a duration such as 30s, 10m, 1h, 1h30m, 7d or 0";

    public static bool TryParse(string text, [NotNullWhen(true)] out TimeSpan? duration)
    {
        duration = null;
        if (text == "0")
        {
            duration = TimeSpan.Zero;
            return true;
        }

        long seconds = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length || i - start > 9)
            {
                return false;
            }

            var value = long.Parse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture);
            long unit = text[i] switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 604800,
                _ => 0,
            };
            if (unit == 0)
            {
                return false;
            }

            seconds += value * unit;
            i++;
        }

        if (text.Length == 0 || seconds > (long)TimeSpan.FromDays(3650).TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>The shortest text that parses back to the same duration, e.g. <c>1h30m</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        if (seconds == 0)
        {
            return "0";
        }

        var text = string.Empty;
        foreach (var (unit, suffix) in new (long, char)[] { (86400, 'd'), (3600, 'h'), (60, 'm'), (1, 's') })
        {
            if (seconds >= unit)
            {
                text += (seconds / unit).ToString(CultureInfo.InvariantCulture) + suffix;
                seconds %= unit;
            }
        }

        return text;
    }
}
