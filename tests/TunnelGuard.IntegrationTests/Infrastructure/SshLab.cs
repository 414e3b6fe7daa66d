using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using TunnelGuard.Lab.Lab;
using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>
/// A real OpenSSH sshd in its own network namespace, reachable from the test process over a veth pair.
/// Root side 198.18.2.1/30, server side 198.18.2.2/30: only addresses in 198.18.2.0/24 are used.
/// Everything is torn down in <see cref="DisposeAsync"/>, processes by PID.
/// </summary>
public sealed partial class SshLab : IAsyncLifetime
{
    public const string NamespacePrefix = "tgl-";
    public const int SshPort = 22;

    public static readonly IPAddress RootAddress = IPAddress.Parse("198.18.2.1");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("198.18.2.2");

    private readonly string _id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
    private readonly StringBuilder _sshdLog = new();
    private readonly List<Process> _sshds = [];
    private bool _namespaceCreated;

    public string ServerNamespace => $"{NamespacePrefix}{_id}-srv";

    /// <summary>The veth end in the root namespace; its peer is <c>{RootLink}p</c> inside the server namespace.</summary>
    public string RootLink => $"{NamespacePrefix}{_id}";

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"tgl-lab-{Guid.NewGuid():N}");

    public string UserKeyFile => Path.Combine(Directory, "id_ed25519");

    /// <summary>An ed25519 key the server does not have, to fake a host key change.</summary>
    public string OtherHostPublicKeyFile => Path.Combine(Directory, "other_host_ed25519.pub");

    public string User => "root";

    public string SshdLog
    {
        get
        {
            lock (_sshdLog)
            {
                return _sshdLog.ToString();
            }
        }
    }

    /// <summary>A known_hosts file with the server's three host keys, one plain line each.</summary>
    public string KnownHostsPath => Path.Combine(Directory, "known_hosts");

    /// <summary>Public key file (OpenSSH one-line format) of the server's host key of one type: ed25519, ecdsa or rsa.</summary>
    public string HostPublicKeyFile(string type) => Path.Combine(Directory, $"host_{type}.pub");

    /// <summary>A known_hosts line for the server from a public key file: <c>198.18.2.2 type base64</c>.</summary>
    public static string KnownHostsLine(string publicKeyFile)
    {
        var fields = File.ReadAllText(publicKeyFile).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return $"{ServerAddress} {fields[0]} {fields[1]}";
    }

    /// <summary>Tunnel options for the lab server: user key, the lab's known_hosts, and the given forwards.</summary>
    public SshTunnelOptions Options(params ForwardSpec[] forwards) => Options(HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(KnownHostsPath)), forwards);

    public SshTunnelOptions Options(HostKeyPolicy policy, params ForwardSpec[] forwards) => new()
    {
        Destination = new SshDestination(User, ServerAddress.ToString(), SshPort),
        Forwards = forwards,
        HostKeyPolicy = policy,
        KeyFile = UserKeyFile,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Writes a known_hosts file into the lab directory and returns its path.</summary>
    public string WriteKnownHosts(string name, params string[] lines)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    public async Task InitializeAsync()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException("the SSH lab needs Linux and root (network namespaces); run scripts/test.sh as root");
        }

        try
        {
            RemoveStaleNamespaces();
            System.IO.Directory.CreateDirectory(Directory);
            GenerateKeys();
            GenerateEncryptedKeys();
            AddPamServerToKnownHosts();
            _passwordUser = TemporaryUser.Create();
            CreateNetwork();
            await StartSshdAsync(WriteConfig(), SshPort).ConfigureAwait(false);
            await StartSshdAsync(WritePamConfig(), PamSshPort).ConfigureAwait(false);
        }
        catch
        {
            // xunit does not dispose a fixture whose initialization failed: the user and namespace must go now.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        var errors = new List<string>();
        foreach (var sshd in _sshds)
        {
            try
            {
                if (!sshd.HasExited)
                {
                    sshd.Kill();
                    await sshd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                errors.Add($"sshd pid {sshd.Id}: {ex.Message}");
            }

            sshd.Dispose();
        }

        _sshds.Clear();
        try
        {
            _passwordUser?.Dispose();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(ex.Message);
        }

        _passwordUser = null;
        if (_namespaceCreated)
        {
            _namespaceCreated = false;
            KillNamespaceProcesses(ServerNamespace);
            var (code, output) = HostCommand.TryRun("ip", "netns", "del", ServerNamespace);
            if (code != 0)
            {
                errors.Add(output);
            }

            // Deleting the namespace destroys the peer, which takes the root end with it; make sure.
            HostCommand.TryRun("ip", "link", "del", RootLink);
        }

        try
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            errors.Add(ex.Message);
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("SSH lab cleanup: " + string.Join("; ", errors));
        }
    }

    /// <summary>Ends every client connection by killing sshd's per-connection processes (by PID); the listener stays.</summary>
    public int DropClientConnections()
    {
        var (_, pids) = HostCommand.TryRun("ip", "netns", "pids", ServerNamespace);
        var killed = 0;
        foreach (var text in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !_sshds.Exists(s => s.Id == pid))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    killed++;
                }
                catch (ArgumentException)
                {
                    // Exited on its own.
                }
            }
        }

        return killed;
    }

    /// <summary>Runs a command inside the server namespace.</summary>
    public string RunInServer(string file, params string[] args) => HostCommand.Run("ip", ["netns", "exec", ServerNamespace, file, .. args]);

    // A crashed earlier run can leave its namespace, veth and sshd behind; they would hold our addresses.
    private static void RemoveStaleNamespaces()
    {
        var (code, list) = HostCommand.TryRun("ip", "netns", "list");
        if (code != 0)
        {
            return;
        }

        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line.Split(' ')[0];
            if (name.StartsWith(NamespacePrefix, StringComparison.Ordinal) && name.EndsWith("-srv", StringComparison.Ordinal))
            {
                KillNamespaceProcesses(name);
                HostCommand.TryRun("ip", "netns", "del", name);
                HostCommand.TryRun("ip", "link", "del", name[..^"-srv".Length]);
            }
        }
    }

    private static void KillNamespaceProcesses(string name)
    {
        var (code, pids) = HostCommand.TryRun("ip", "netns", "pids", name);
        if (code != 0)
        {
            return;
        }

        foreach (var text in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                    process.WaitForExit(5_000);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }
        }
    }

    private void GenerateKeys()
    {
        foreach (var (type, bits) in new[] { ("ed25519", "256"), ("ecdsa", "256"), ("rsa", "2048") })
        {
            HostCommand.Run("ssh-keygen", "-q", "-t", type, "-b", bits, "-N", "", "-C", $"tgl-host-{type}", "-f", Path.Combine(Directory, $"host_{type}"));
        }

        HostCommand.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tgl-user", "-f", UserKeyFile);
        HostCommand.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tgl-other", "-f", Path.Combine(Directory, "other_host_ed25519"));
        File.Copy(UserKeyFile + ".pub", Path.Combine(Directory, "authorized_keys"));
        File.WriteAllLines(KnownHostsPath, [KnownHostsLine(HostPublicKeyFile("ed25519")), KnownHostsLine(HostPublicKeyFile("ecdsa")), KnownHostsLine(HostPublicKeyFile("rsa"))]);
    }

    private void CreateNetwork()
    {
        HostCommand.Run("ip", "netns", "add", ServerNamespace);
        _namespaceCreated = true;
        var peer = RootLink + "p";
        HostCommand.Run("ip", "link", "add", RootLink, "type", "veth", "peer", "name", peer);
        HostCommand.Run("ip", "link", "set", peer, "netns", ServerNamespace);
        HostCommand.Run("ip", "addr", "add", $"{RootAddress}/30", "dev", RootLink);
        HostCommand.Run("ip", "link", "set", RootLink, "up");
        HostCommand.Run("ip", "-n", ServerNamespace, "addr", "add", $"{ServerAddress}/30", "dev", peer);
        HostCommand.Run("ip", "-n", ServerNamespace, "link", "set", peer, "up");
        HostCommand.Run("ip", "-n", ServerNamespace, "link", "set", "lo", "up");
    }

    private string WriteConfig()
    {
        // FIELD-NOTES: sshd needs /run/sshd; keys under /tmp need StrictModes no; no PAM in a test config.
        System.IO.Directory.CreateDirectory("/run/sshd");
        var config = Path.Combine(Directory, "sshd_config");
        File.WriteAllText(config, ListenerConfig(SshPort) + $"""
            AuthorizedKeysFile {Directory}/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            AllowTcpForwarding yes
            GatewayPorts clientspecified
            MaxSessions 100
            MaxStartups 100
            LogLevel VERBOSE

            # Without PAM, sshd checks the password against /etc/shadow itself ("password" method only).
            Match User {PasswordUser.Name}
                PasswordAuthentication yes

            """);
        return config;
    }

    // The part every sshd of this lab shares: where it listens and its three host keys.
    private string ListenerConfig(int port) => $"""
        ListenAddress {ServerAddress}:{port}
        HostKey {Directory}/host_ed25519
        HostKey {Directory}/host_ecdsa
        HostKey {Directory}/host_rsa
        PidFile none

        """;

    private async Task StartSshdAsync(string config, int port)
    {
        HostCommand.Run("/usr/sbin/sshd", "-t", "-f", config);
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "netns", "exec", ServerNamespace, "/usr/sbin/sshd", "-D", "-e", "-f", config })
        {
            start.ArgumentList.Add(arg);
        }

        // `ip netns exec` execs the command, so this PID is sshd's own.
        var sshd = Process.Start(start) ?? throw new InvalidOperationException("cannot start sshd");
        _sshds.Add(sshd);
        sshd.ErrorDataReceived += (_, e) => Append(e.Data);
        sshd.OutputDataReceived += (_, e) => Append(e.Data);
        sshd.BeginErrorReadLine();
        sshd.BeginOutputReadLine();
        await WaitForSshdAsync(sshd, port).ConfigureAwait(false);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_sshdLog)
        {
            _sshdLog.AppendLine(line);
        }
    }

    private async Task WaitForSshdAsync(Process sshd, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (sshd.HasExited)
            {
                throw new InvalidOperationException($"sshd exited with {sshd.ExitCode}: {SshdLog}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(ServerAddress, port).ConfigureAwait(false);
                var buffer = new byte[8];
                var read = await probe.GetStream().ReadAsync(buffer).ConfigureAwait(false);
                if (read > 0)
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"sshd did not answer on {ServerAddress}:{port} within 15 s: {SshdLog}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
