using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Cli;

public sealed partial class MonitorFaultTests
{
    /// <summary>
    /// The store's file system turns read-only under a running monitor. <c>mount -o remount,ro</c> cannot do that (the
    /// store has its files open for writing: "mount point is busy"); the kernel does it to an ext4 file system after an
    /// error when it is mounted with errors=remount-ro, as with a failing disk, and keeps it read-only until it is
    /// unmounted. So the test raises an ext4 error (sysfs trigger_fs_error), then unmounts, checks and mounts the file
    /// system again while the monitor runs, all in the monitor's own mount namespace.
    /// </summary>
    [Fact]
    public void ReadOnlyFileSystem_UnderTheAlertStore_LosesNoAlert_AndTheyAreWrittenWhenItIsWritableAgain()
    {
        using var host = new NetnsSshd(port: 2022);
        using var dir = new TempDirectory();
        var policy = AlertOnEverySsh(dir);
        var image = dir.File("store.img");
        using (var file = File.Create(image))
        {
            file.SetLength(16 << 20);
        }

        ProcessRunner.Run("mkfs.ext4", "-q", "-F", image);
        var disk = Directory.CreateDirectory(dir.File("disk")).FullName;
        var db = Path.Combine(disk, "alerts.db");

        // Mounted in a mount namespace of the monitor's own: a mount in the host's namespace would be copied into every
        // namespace that anything on the machine makes meanwhile, and one copy keeps the file system (and its error) alive.
        var monitor = host.StartInNamespace(
            "unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -o loop,errors=remount-ro \"$0\" \"$1\" && shift && exec \"$@\"",
            image, disk, "dotnet", Cli, "monitor", "-i", "lo", "--format", "jsonl", "--duration", "120", "--metrics", "127.0.0.1:9464",
            "--rules", policy, "--db", db);
        string[] inMonitor = ["--mount=/proc/" + monitor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/ns/mnt"];
        var log = new LineLog(monitor.StandardError);
        var output = new LineLog(monitor.StandardOutput);
        log.WaitFor("listening on");
        host.Ssh("echo before");
        output.WaitFor("\"event_type\":\"alert\"", 20);

        var (busy, _) = ProcessRunner.TryRun("nsenter", [.. inMonitor, "mount", "-o", "remount,ro", disk]);
        Assert.NotEqual(0, busy);

        var device = Path.GetFileName(ProcessRunner.Run("nsenter", [.. inMonitor, "findmnt", "-n", "-o", "SOURCE", disk]).Trim());
        File.WriteAllText($"/sys/fs/ext4/{device}/trigger_fs_error", "tunnelguard read-only store test");
        for (var i = 0; i < 3; i++)
        {
            host.Ssh($"echo while read-only {i}");
        }

        // Alerts are counted by connection: each verdict change the rule matches is an alert line (suppress: 0).
        log.WaitFor("fails:", 30);
        WaitForAlertedConnections(output, 4);
        Assert.Equal(4, AlertedConnections(output));
        Assert.Contains("Read-only file system", log.Text, StringComparison.Ordinal);
        Assert.True(Metric(host, "tunnelguard_alerts_unstored") >= 1, log.Text);
        Assert.True(Metric(host, "tunnelguard_alert_store_failures_total") >= 1);
        Thread.Sleep(2_000);
        Assert.Equal(1, log.Count("fails:"));

        // Writable again: unmounted (possible only because the store let go of its files), checked, mounted again.
        // The store retries (once a second) while the file system is away: it must not make a new store in the bare
        // mount point, which the host's namespace sees, and which the file system would hide when mounted again.
        Unmount([.. inMonitor, "umount", disk]);
        Thread.Sleep(2_500);
        Assert.False(File.Exists(db), "a new store was made in the bare mount point");
        ProcessRunner.TryRun("e2fsck", "-f", "-y", image);
        ProcessRunner.Run("nsenter", [.. inMonitor, "mount", "-o", "loop,errors=remount-ro", image, disk]);
        log.WaitFor("works again", 20);
        Assert.True(Metric(host, "tunnelguard_alerts_unstored") == 0, log.Text);
        var stored = ProcessRunner.Run("nsenter", [.. inMonitor, "dotnet", Cli, "alerts", "list", "--db", db, "--format", "jsonl"]);
        Assert.Equal(AlertValues(output, "alert", "id").Count, stored.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        ProcessRunner.Interrupt(monitor);
        Assert.True(monitor.WaitForExit(30_000));
        Assert.Equal(0, monitor.ExitCode);
        Assert.Equal(0, log.Count("could not be written"));
    }

    /// <summary>Unmounts with nsenter, again after a moment if busy: the store's retry may hold the file for an instant.</summary>
    private static void Unmount(string[] nsenter)
    {
        for (var attempt = 0; ProcessRunner.TryRun("nsenter", nsenter).ExitCode != 0; attempt++)
        {
            Assert.True(attempt < 10, "the monitor keeps the store's file system busy");
            Thread.Sleep(300);
        }
    }
}
