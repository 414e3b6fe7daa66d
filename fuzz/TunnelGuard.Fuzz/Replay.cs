using System.Diagnostics;

namespace TunnelGuard.Fuzz;

/// <summary>Runs saved inputs once each, outside any fuzzer: to reproduce a crash or to check a corpus.</summary>
internal static class Replay
{
    public static int Run(IFuzzTarget target, string[] paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else
            {
                files.Add(path);
            }
        }

        var failures = 0;
        var clock = Stopwatch.StartNew();
        foreach (var file in files)
        {
            try
            {
                Budget.Run(target, File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"{file}: {e}");
            }
        }

        Console.WriteLine($"{target.Name}: {files.Count} inputs, {failures} failed, {clock.Elapsed.TotalSeconds:F1} s, peak working set {Environment.WorkingSet / (1024 * 1024)} MiB");
        return failures == 0 ? 0 : 1;
    }
}
