using System.Globalization;

namespace TunnelGuard.Lab.Lab;

/// <summary>
/// What a running scenario works with: its seed, cipher and size, a private directory, an ssh_config for the chosen
/// cipher, and helpers that start programs inside lab namespaces. Every program started here is stopped by PID in
/// <see cref="DisposeAsync"/>, also when the scenario fails or is cancelled.
/// </summary>
public sealed class ScenarioContext : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(120);

    private readonly List<LabProcess> _processes = [];
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);

    public ScenarioContext(int seed, CipherChoice cipher, double scale, string directory)
    {
        Seed = seed;
        Cipher = cipher;
        Scale = scale;
        Directory = directory;
        Random = new Random(seed);
        System.IO.Directory.CreateDirectory(directory);
        SshConfig = Path.Combine(directory, "ssh_config");
        WriteSshConfig();
    }

    public int Seed { get; }

    public CipherChoice Cipher { get; }

    /// <summary>Multiplies transfer sizes and counts; 1 is the small default.</summary>
    public double Scale { get; }

    public string Directory { get; }

    /// <summary>The scenario's own random source: the same seed gives the same sizes, counts and timings.</summary>
    public Random Random { get; }

    /// <summary>An ssh_config for OpenSSH clients: the lab key, no host key prompts, the chosen cipher and MAC.</summary>
    public string SshConfig { get; }

    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    /// <summary>Records a parameter in the manifest and returns it.</summary>
    public T Note<T>(string name, T value)
        where T : IFormattable
    {
        _parameters[name] = value.ToString(null, CultureInfo.InvariantCulture);
        return value;
    }

    /// <summary>A size in bytes drawn from [min, max) and scaled.</summary>
    public long Size(string name, long min, long max) => Note(name, (long)(Random.NextInt64(min, max) * Scale));

    /// <summary>A count drawn from [min, max] and scaled (at least 1).</summary>
    public int Count(string name, int min, int max) => Note(name, Math.Max(1, (int)Math.Round(Random.Next(min, max + 1) * Scale)));

    /// <summary>`ssh -F config ARGS` for the OpenSSH client.</summary>
    public string[] Ssh(params string[] args) => ["ssh", "-F", SshConfig, .. args];

    /// <summary>`dbclient` with the lab key, no host key checks, and the chosen cipher and MAC.</summary>
    public string[] Dbclient(params string[] args)
    {
        var list = new List<string> { "dbclient", "-y", "-y", "-i", LabPaths.DropbearUserKey };
        if (Cipher.Cipher is { } cipher)
        {
            list.AddRange(["-c", cipher]);
        }

        if (Cipher.Mac is { } mac)
        {
            list.AddRange(["-m", mac]);
        }

        list.AddRange(args);
        return [.. list];
    }

    /// <summary>
    /// `plink -batch` (PuTTY) with the lab key in PuTTY's format and the server's three host keys pinned by SHA256
    /// fingerprint (plink keeps no host key cache here). PUTTYDIR is the scenario's own folder, so plink's random seed
    /// file and the saved session that sets the cipher stay out of root's home.
    /// </summary>
    public string[] Plink(params string[] args)
    {
        var puttyDirectory = Path.Combine(Directory, "putty");
        var list = new List<string> { "env", "PUTTYDIR=" + puttyDirectory, "plink", "-batch", "-no-antispoof", "-i", LabPaths.PuttyUserKey };
        foreach (var type in new[] { "ed25519", "ecdsa", "rsa" })
        {
            list.AddRange(["-hostkey", LabKeys.HostKeySha256(type)]);
        }

        if (Cipher.Cipher is not null)
        {
            // PuTTY takes a preference order of cipher families (its defaults after the chosen one) from a saved session.
            var family = Cipher == CipherChoice.Chacha20 ? "chacha20" : throw new LabException($"plink cannot be asked for {Cipher.Tag}");
            System.IO.Directory.CreateDirectory(Path.Combine(puttyDirectory, "sessions"));
            File.WriteAllText(Path.Combine(puttyDirectory, "sessions", "lab"), $"Cipher={family},aes,aesgcm,3des,WARN,des,blowfish,arcfour\n");
            list.AddRange(["-load", "lab"]);
        }

        list.AddRange(args);
        return [.. list];
    }

    /// <summary>
    /// Runs a terminal client on a pseudo-terminal made by util-linux `script`, for clients (dbclient, plink) that refuse a
    /// pipe on stdin; the typist then writes into script's stdin and keys still leave one by one.
    /// </summary>
    public static string[] OnPty(params string[] args) =>
        ["script", "-q", "-f", "-e", "-c", string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'")), "/dev/null"];

    /// <summary>`tunnelguard tunnel root@server` with the lab key and known_hosts, plus forwards.</summary>
    public string[] Tunnel(params string[] forwards) =>
        SelfCommand.With(["tunnel", "root@" + LabTopology.ServerAddress, "-i", LabPaths.UserKey, "--known-hosts", LabPaths.KnownHosts, .. forwards]);

    /// <summary>`tunnelguard lab drive ...` (a traffic driver run inside a namespace).</summary>
    public static string[] Drive(params string[] args) => SelfCommand.With(["lab", "drive", .. args]);

    /// <summary>Starts a program in a namespace and leaves it running (stopped at the end of the scenario).</summary>
    public LabProcess Start(string name, string ns, params string[] args)
    {
        var process = LabProcess.Start(name, ns, Path.Combine(Directory, "logs"), args);
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs a program in a namespace to completion; a non-zero exit fails the scenario with the program's output.</summary>
    public async Task RunAsync(string name, string ns, CancellationToken cancellationToken, params string[] args)
    {
        var process = Start(name, ns, args);
        if (!await process.WaitAsync(StepTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new LabException($"{name}: still running after {StepTimeout.TotalSeconds} s: {Tail(process)}");
        }

        if (process.ExitCode != 0)
        {
            throw new LabException($"{name}: exited {process.ExitCode}: {Tail(process)}");
        }
    }

    /// <summary>Waits for a forward's listener; fails early with the forwarder's output if it has exited.</summary>
    public async Task WaitListeningAsync(LabProcess forwarder, string ns, int port, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var (code, output) = HostCommand.TryRun("ip", "netns", "exec", ns, "ss", "-Hltn", $"( sport = :{port} )");
            if (code == 0 && output.Trim().Length > 0)
            {
                return;
            }

            if (forwarder.HasExited)
            {
                throw new LabException($"{forwarder.Name}: exited {forwarder.ExitCode} before port {port} listened: {Tail(forwarder)}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"{forwarder.Name}: port {port} in {ns} not listening after 20 s: {Tail(forwarder)}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops one program started by this scenario (SIGTERM, then SIGKILL).</summary>
    public static Task StopAsync(LabProcess process) => process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.StopAsync().ConfigureAwait(false);
            process.Dispose();
        }

        _processes.Clear();
    }

    private static string Tail(LabProcess process)
    {
        var log = process.ReadLog().Trim();
        return log.Length > 600 ? "..." + log[^600..] : log;
    }

    private void WriteSshConfig()
    {
        var lines = new List<string>
        {
            "Host *",
            "  User root",
            $"  IdentityFile {LabPaths.UserKey}",
            "  IdentitiesOnly yes",
            "  BatchMode yes",
            "  StrictHostKeyChecking no",
            "  UserKnownHostsFile /dev/null",
            "  LogLevel ERROR",
            "  ConnectTimeout 10",
            "  EscapeChar none",
            "  ControlMaster no",
            "  ExitOnForwardFailure yes",
        };
        if (Cipher.Cipher is { } cipher)
        {
            lines.Add($"  Ciphers {cipher}");
        }

        if (Cipher.Mac is { } mac)
        {
            lines.Add($"  MACs {mac}");
        }

        File.WriteAllLines(SshConfig, lines);
    }
}
