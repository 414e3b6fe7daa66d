using TunnelGuard.IntegrationTests.Infrastructure;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Monitor;

/// <summary>The lab (client, jump host, SSH server, inner host; 198.18.4.0/24 and 198.18.5.0/24) up for one test class, down afterwards.</summary>
public sealed class LabUp : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        SelfCommand.Override = ["dotnet", CliProcess.CliAssemblyPath];
        using (var down = CliProcess.Start("lab", "down"))
        {
            await down.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        using var up = CliProcess.Start("lab", "up");
        var code = await up.WaitForExitAsync(TimeSpan.FromSeconds(120));
        if (code != 0)
        {
            throw new InvalidOperationException($"lab up exited {code}: {up.StandardOutput} {up.StandardError}");
        }
    }

    public async Task DisposeAsync()
    {
        using var down = CliProcess.Start("lab", "down");
        await down.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }
}
