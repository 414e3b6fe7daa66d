namespace TunnelGuard.Lab.Lab;

/// <summary>Scenarios of the OpenSSH client without forwards: shells, commands, file transfers.</summary>
public static partial class ScenarioCatalog
{
    private static IEnumerable<Scenario> Sessions()
    {
        yield return new Scenario("interactive", ClientKind.OpenSsh, "a person typing commands into a shell (ssh -tt)", [ExpectedConnection.ToServer(Labels.Interactive)],
            (c, ct) => TypeAsync(c, "typist", LabTopology.Client, c.Count("commands", 3, 5), false, ct, c.Ssh("-tt", Server)));

        yield return new Scenario("interactive-obfuscated", ClientKind.OpenSsh, "typing with imitated keystroke timing obfuscation (a same-size packet every 20 ms)", [ExpectedConnection.ToServer(Labels.Interactive)],
            (c, ct) => TypeAsync(c, "typist", LabTopology.Client, c.Count("commands", 2, 3), true, ct, c.Ssh("-tt", Server)));

        yield return new Scenario("exec", ClientKind.OpenSsh, "commands run without a terminal (ssh host cmd)", [ExpectedConnection.ToServer(Labels.Exec)],
            (c, ct) => c.RunAsync("exec", LabTopology.Client, ct, c.Ssh(Server, "uname -a; id; ls -la /etc/ssh; head -c " + Str(c.Size("output_bytes", 2_000, 60_000)) + " /etc/services")));

        yield return new Scenario("scp-up", ClientKind.OpenSsh, "scp of a file to the server", [ExpectedConnection.ToServer(Labels.FileTransfer)],
            async (c, ct) =>
            {
                var local = Path.Combine(c.Directory, "upload.bin");
                WriteFile(local, c.Size("bytes", 300_000, 700_000), c.Seed);
                await c.RunAsync("scp", LabTopology.Client, ct, "scp", "-F", c.SshConfig, local, $"{Server}:{Path.Combine(c.Directory, "uploaded.bin")}").ConfigureAwait(false);
            });

        yield return new Scenario("scp-down", ClientKind.OpenSsh, "scp of a file from the server", [ExpectedConnection.ToServer(Labels.FileTransfer)],
            async (c, ct) =>
            {
                var remote = Path.Combine(c.Directory, "download.bin");
                WriteFile(remote, c.Size("bytes", 300_000, 700_000), c.Seed);
                await c.RunAsync("scp", LabTopology.Client, ct, "scp", "-F", c.SshConfig, $"{Server}:{remote}", Path.Combine(c.Directory, "downloaded.bin")).ConfigureAwait(false);
            });

        yield return new Scenario("sftp", ClientKind.OpenSsh, "an sftp batch: list, put one file, get another", [ExpectedConnection.ToServer(Labels.FileTransfer)],
            async (c, ct) =>
            {
                var up = Path.Combine(c.Directory, "put.bin");
                var down = Path.Combine(c.Directory, "get.bin");
                WriteFile(up, c.Size("put_bytes", 100_000, 400_000), c.Seed);
                WriteFile(down, c.Size("get_bytes", 100_000, 400_000), c.Seed + 1);
                var batch = Path.Combine(c.Directory, "sftp.batch");
                await File.WriteAllLinesAsync(batch, [$"cd {c.Directory}", "ls -l", $"put {up} put-copy.bin", $"get {down} {Path.Combine(c.Directory, "get-copy.bin")}", "bye"], ct).ConfigureAwait(false);
                await c.RunAsync("sftp", LabTopology.Client, ct, "sftp", "-F", c.SshConfig, "-b", batch, Server).ConfigureAwait(false);
            });
    }

    private static void WriteFile(string path, long size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }
}
