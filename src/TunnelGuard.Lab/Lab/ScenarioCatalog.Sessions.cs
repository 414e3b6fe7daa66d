using TunnelGuard.Classification;

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

        yield return new Scenario("exec-port2022", ClientKind.OpenSsh, "commands run on the server's second sshd port, 2022", [new ExpectedConnection(LabTopology.ClientAddress, Server, LabTopology.AlternateSshPort, [Labels.Exec])],
            (c, ct) => c.RunAsync("exec", LabTopology.Client, ct, c.Ssh("-p", Str(LabTopology.AlternateSshPort), Server, "uname -a; ls -la /usr/share | head -" + Str(c.Count("lines", 20, 120)))));

        yield return new Scenario(
            "not-ssh-port22",
            ClientKind.None,
            "plain HTTP request/response on port 22, a bulk transfer on 9000 and a quiet echo connection, to a second address of the jump host",
            [
                new ExpectedConnection(LabTopology.ClientAddress, LabTopology.DecoyAddress, LabTopology.SshPort, [Labels.NotSsh]),
                new ExpectedConnection(LabTopology.ClientAddress, LabTopology.DecoyAddress, LabTopology.BulkPort, [Labels.NotSsh]),
                new ExpectedConnection(LabTopology.ClientAddress, LabTopology.DecoyAddress, LabTopology.EchoPort, [Labels.NotSsh]),
            ],
            async (c, ct) =>
            {
                var services = c.Start("decoy-services", LabTopology.Jump, SelfCommand.With("lab", "serve", "--bind", LabTopology.DecoyAddress, "--http-port", Str(LabTopology.SshPort)));
                await c.WaitListeningAsync(services, LabTopology.Jump, LabTopology.BulkPort, ct).ConfigureAwait(false);
                await c.WaitListeningAsync(services, LabTopology.Jump, LabTopology.SshPort, ct).ConfigureAwait(false);
                await c.RunAsync("reqresp", LabTopology.Client, ct, ScenarioContext.Drive("reqresp", "--connect", $"{LabTopology.DecoyAddress}:{LabTopology.SshPort}", "--requests", Str(c.Count("requests", 3, 6)), "--seed", Str(c.Seed))).ConfigureAwait(false);
                await BulkAsync(c, LabTopology.Client, $"{LabTopology.DecoyAddress}:{LabTopology.BulkPort}", c.Size("up_bytes", 50_000, 150_000), c.Size("down_bytes", 100_000, 300_000), ct).ConfigureAwait(false);
                await c.RunAsync("idle", LabTopology.Client, ct, ScenarioContext.Drive("idle", "--connect", $"{LabTopology.DecoyAddress}:{LabTopology.EchoPort}", "--seconds", "1")).ConfigureAwait(false);
            });

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

        yield return new Scenario("rsync-up", ClientKind.OpenSsh, "rsync over ssh of a few files to the server", [ExpectedConnection.ToServer(Labels.FileTransfer)],
            async (c, ct) =>
            {
                var source = Path.Combine(c.Directory, "tree");
                Directory.CreateDirectory(source);
                var files = c.Count("files", 3, 6);
                for (var i = 0; i < files; i++)
                {
                    WriteFile(Path.Combine(source, $"file{i}.bin"), c.Random.NextInt64(20_000, (long)(200_000 * c.Scale)), c.Seed + i);
                }

                await c.RunAsync("rsync", LabTopology.Client, ct, "rsync", "-a", "-e", $"ssh -F {c.SshConfig}", source + "/", $"{Server}:{Path.Combine(c.Directory, "tree-copy")}/").ConfigureAwait(false);
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
