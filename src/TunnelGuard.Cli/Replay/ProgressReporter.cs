using System.Diagnostics;
using System.Globalization;

namespace TunnelGuard.Cli.Replay;

/// <summary>A one-line progress display on a terminal's standard error, redrawn at most four times a second.</summary>
internal sealed class ProgressReporter
{
    private readonly TextWriter? _error;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _nextDrawMs;
    private bool _drawn;

    public ProgressReporter(TextWriter? error) => _error = error;

    public void Report(int fileIndex, int fileCount, string name, long position, long length, long packets)
    {
        if (_error is null || _clock.ElapsedMilliseconds < _nextDrawMs)
        {
            return;
        }

        _nextDrawMs = _clock.ElapsedMilliseconds + 250;
        var percent = length > 0 ? 100.0 * position / length : 0;
        var rate = packets / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        _error.Write(string.Create(CultureInfo.InvariantCulture, $"\r\u001b[Kreplay {fileIndex + 1}/{fileCount} {TerminalText.Safe(name, 40)}: {percent,5:0.0}%  {packets:N0} packets  {rate / 1000:0} kpkt/s"));
        _drawn = true;
    }

    public void Clear()
    {
        if (_drawn)
        {
            _error?.Write("\r\u001b[K");
            _drawn = false;
        }
    }
}
