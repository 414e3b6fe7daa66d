namespace TunnelGuard.Rules;

/// <summary>
/// Days of the week and a time-of-day range, read at a fixed UTC offset. A range whose end is before its start runs
/// over midnight (22:00-06:00); the day is the day the range starts.
/// </summary>
public sealed record TimeWindow(IReadOnlySet<DayOfWeek> Days, int StartMinute, int EndMinute, TimeSpan UtcOffset)
{
    public const int WholeDay = 24 * 60;

    public bool Contains(DateTimeOffset utc)
    {
        var local = utc.ToOffset(UtcOffset);
        var minute = (local.Hour * 60) + local.Minute;
        if (StartMinute <= EndMinute)
        {
            return minute >= StartMinute && minute < EndMinute && Days.Contains(local.DayOfWeek);
        }

        // Over midnight: the early-morning part belongs to the previous day's window.
        if (minute >= StartMinute)
        {
            return Days.Contains(local.DayOfWeek);
        }

        return minute < EndMinute && Days.Contains(local.AddDays(-1).DayOfWeek);
    }

    public override string ToString() =>
        $"{string.Join(',', Days.Order().Select(d => d.ToString()[..3].ToLowerInvariant()))} {Clock(StartMinute)}-{Clock(EndMinute)} UTC{(UtcOffset < TimeSpan.Zero ? "-" : "+")}{UtcOffset:hh\\:mm}";

    private static string Clock(int minute) => $"{minute / 60:00}:{minute % 60:00}";
}
