using TunnelGuard.IntegrationTests.Infrastructure;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Lab;

/// <summary>`lab up / status / down`, and cleanup after an interrupted or killed recording.</summary>
[Collection(LabCollection.Name)]
public sealed class LabLifecycleTests
{
    [Fact]
    public async Task UpStatusDown_CreatesTheHostsAndRemovesThemAll()
    {
        using (var up = CliProcess.Start("lab", "up"))
        {
            Assert.True(await up.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, up.StandardOutput + up.StandardError);
        }

        try
        {
            var namespaces = HostCommand.Run("ip", "netns", "list");
            Assert.All(LabTopology.Namespaces, ns => Assert.Contains(ns, namespaces, StringComparison.Ordinal));
            using var status = CliProcess.Start("lab", "status");
            await status.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("sshd-srv", status.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("GONE", status.StandardOutput, StringComparison.Ordinal);

            // Only the two lab subnets: no address anywhere else.
            foreach (var ns in LabTopology.Namespaces)
            {
                foreach (var address in HostCommand.Run("ip", "-n", ns, "-4", "-brief", "addr").Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Contains('/', StringComparison.Ordinal)))
                {
                    Assert.True(address.StartsWith("198.18.4.", StringComparison.Ordinal) || address.StartsWith("198.18.5.", StringComparison.Ordinal) || address.StartsWith("127.", StringComparison.Ordinal), $"{ns}: {address}");
                }
            }
        }
        finally
        {
            using var down = CliProcess.Start("lab", "down");
            await down.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        LabLeftovers.AssertNone();
    }

    [Fact]
    public async Task Run_WithoutOut_RunsTheScenarioWithoutCaptureAndLeavesNothing()
    {
        using var run = CliProcess.Start("lab", "run", "exec", "--seed", "4");
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(120)) == 0, run.StandardOutput + run.StandardError);
        Assert.Contains("ok   exec seed 4", run.StandardOutput, StringComparison.Ordinal);
        LabLeftovers.AssertNone();
    }

    [Fact]
    public async Task Record_InterruptedBySigint_CleansUpByItself()
    {
        var output = Path.Combine(Path.GetTempPath(), $"tglab-int-{Guid.NewGuid():N}");
        try
        {
            using var record = CliProcess.Start("lab", "record", "--scenarios", "idle-keepalive", "--out", output);
            await record.WaitForOutputAsync("lab: sshd on", TimeSpan.FromSeconds(60));
            await Task.Delay(2_000);
            record.Signal("INT");
            var code = await record.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 1, record.StandardOutput + record.StandardError);
            LabLeftovers.AssertNone();
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Down_AfterRecordWasKilled_RemovesTheLeftoverLab()
    {
        var output = Path.Combine(Path.GetTempPath(), $"tglab-kill-{Guid.NewGuid():N}");
        try
        {
            using (var record = CliProcess.Start("lab", "record", "--scenarios", "idle-keepalive", "--out", output))
            {
                await record.WaitForOutputAsync("lab: sshd on", TimeSpan.FromSeconds(60));
                await Task.Delay(2_000);
                record.Signal("KILL");
                await record.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }

            Assert.Contains(LabTopology.Server, HostCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
            using var down = CliProcess.Start("lab", "down");
            Assert.Equal(0, await down.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            LabLeftovers.AssertNone();
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
