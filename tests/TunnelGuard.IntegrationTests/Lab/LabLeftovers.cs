using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Lab;

/// <summary>Checks that no lab namespace, state directory or lab process is left.</summary>
internal static class LabLeftovers
{
    public static void AssertNone()
    {
        var namespaces = HostCommand.Run("ip", "netns", "list");
        Assert.DoesNotContain(LabTopology.Prefix, namespaces, StringComparison.Ordinal);
        Assert.False(Directory.Exists(LabTopology.StateDirectory), LabTopology.StateDirectory);
        var processes = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(LabTopology.StateDirectory, StringComparison.Ordinal) || cmdline.Contains(LabTopology.Prefix, StringComparison.Ordinal))
                {
                    processes.Add($"{Path.GetFileName(dir)}: {cmdline}");
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        Assert.True(processes.Count == 0, string.Join("\n", processes));
    }
}
