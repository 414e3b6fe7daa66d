using System.Diagnostics;
using System.Globalization;

namespace TunnelGuard.Lab.Drivers;

/// <summary>
/// Browsing through a SOCKS proxy with curl: each page is one HTML-sized object and 2–6 assets fetched over one
/// connection, with 0.5–2.5 s of reading between pages; SOCKS5 with remote name resolution or SOCKS4, by the seed.
/// </summary>
public static class BrowseDriver
{
    public static async Task<int> RunAsync(string proxy, string site, int pages, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        for (var page = 0; page < pages; page++)
        {
            var start = new ProcessStartInfo("curl") { UseShellExecute = false, RedirectStandardError = true };
            var socks = random.Next(4) == 0 ? "--socks4" : "--socks5-hostname";
            foreach (var arg in new[] { "-q", "-sS", "--fail", "--max-time", "30", socks, proxy, "-o", "/dev/null" })
            {
                start.ArgumentList.Add(arg);
            }

            start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"http://{site}/page/{page}/{random.Next(8_000, 60_000)}"));
            var assets = random.Next(2, 7);
            for (var i = 0; i < assets; i++)
            {
                start.ArgumentList.Add("-o");
                start.ArgumentList.Add("/dev/null");
                start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"http://{site}/asset/{page}-{i}/{random.Next(1_000, 120_000)}"));
            }

            using var curl = Process.Start(start) ?? throw new InvalidOperationException("cannot start curl");
            var error = await curl.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await curl.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (curl.ExitCode != 0)
            {
                throw new IOException($"browse: curl {socks} exited {curl.ExitCode}: {error.Trim()}");
            }

            await Task.Delay(random.Next(500, 2_500), cancellationToken).ConfigureAwait(false);
        }

        return pages;
    }
}
