namespace TunnelGuard.IntegrationTests.Lab;

/// <summary>
/// Holds <c>/tmp/tglab.lock</c> while the lab tests run: the lab's namespaces and state folder are fixed, so a
/// recording started with <c>flock /tmp/tglab.lock tunnelguard lab record ...</c> (README) and these tests would take
/// each other's lab down. .NET locks a file opened with <see cref="FileShare.None"/> with flock(2), the call
/// util-linux's flock makes, so the two wait for each other.
/// </summary>
internal sealed class LabLock : IDisposable
{
    public const string Path = "/tmp/tglab.lock";

    private readonly FileStream _file;

    private LabLock(FileStream file) => _file = file;

    /// <summary>Waits until no one else holds the lock (a whole recording can take half an hour), then takes it.</summary>
    public static async Task<LabLock> AcquireAsync(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new LabLock(new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
