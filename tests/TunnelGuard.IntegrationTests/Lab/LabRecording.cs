using TunnelGuard.Corpus;
using TunnelGuard.IntegrationTests.Infrastructure;

namespace TunnelGuard.IntegrationTests.Lab;

/// <summary>
/// Runs `tunnelguard lab record --scenarios all` once, at the small default size, into a temporary folder that the
/// tests in <see cref="LabCollection"/> then inspect; the folder is deleted afterwards.
/// </summary>
public sealed class LabRecording : IAsyncLifetime
{
    public const int Seed = 7;

    private LabLock? _lock;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"tglab-record-{Guid.NewGuid():N}");

    public string ManifestPath => Path.Combine(Directory, "manifest.json");

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public CorpusManifest Manifest { get; private set; } = new();

    public async Task InitializeAsync()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException("the lab needs Linux and root (network namespaces); run scripts/test.sh as root");
        }

        // Held until every test of the collection has run: they all use the lab's fixed namespaces.
        _lock = await LabLock.AcquireAsync(TimeSpan.FromMinutes(45));

        // A lab left over from an earlier crashed run would make `record` reuse it; start from nothing.
        using (var down = CliProcess.Start("lab", "down"))
        {
            await down.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        using var record = CliProcess.Start("lab", "record", "--scenarios", "all", "--seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", Directory);
        ExitCode = await record.WaitForExitAsync(TimeSpan.FromMinutes(8));
        Output = record.StandardOutput + record.StandardError;
        if (File.Exists(ManifestPath))
        {
            Manifest = CorpusManifest.Load(ManifestPath);
        }
    }

    public Task DisposeAsync()
    {
        _lock?.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
