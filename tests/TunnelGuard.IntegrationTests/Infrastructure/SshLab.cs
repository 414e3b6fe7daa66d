using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>
/// A real OpenSSH sshd in its own network namespace, reachable from the test process over a veth pair.
/// Root side 198.18.2.1/30, server side 198.18.2.2/30: only addresses in 198.18.2.0/24 are used.
/// Everything is torn down in <see cref="DisposeAsync"/>, processes by PID.
/// </summary>
public sealed class SshLab : IAsyncLifetime
{
    public const string NamespacePrefix = "tgl-";
    public const int SshPort = 22;

    public static readonly IPAddress RootAddress = IPAddress.Parse("198.18.2.1");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("198.18.2.2");

    private readonly string _id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
    private readonly StringBuilder _sshdLog = new();
    private Process? _sshd;
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

        RemoveStaleNamespaces();
        System.IO.Directory.CreateDirectory(Directory);
        GenerateKeys();
        CreateNetwork();
        StartSshd();
        await WaitForSshdAsync().ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        var errors = new List<string>();
        if (_sshd is not null)
        {
            try
            {
                if (!_sshd.HasExited)
                {
                    _sshd.Kill();
                    await _sshd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                errors.Add($"sshd pid {_sshd.Id}: {ex.Message}");
            }

            _sshd.Dispose();
        }

        if (_namespaceCreated)
        {
            KillNamespaceProcesses(ServerNamespace);
            var (code, output) = Shell.TryRun("ip", "netns", "del", ServerNamespace);
            if (code != 0)
            {
                errors.Add(output);
            }

            // Deleting the namespace destroys the peer, which takes the root end with it; make sure.
            Shell.TryRun("ip", "link", "del", RootLink);
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
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
        var (_, pids) = Shell.TryRun("ip", "netns", "pids", ServerNamespace);
        var killed = 0;
        foreach (var text in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != _sshd?.Id)
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
    public string RunInServer(string file, params string[] args) => Shell.Run("ip", ["netns", "exec", ServerNamespace, file, .. args]);

    // A crashed earlier run can leave its namespace, veth and sshd behind; they would hold our addresses.
    private static void RemoveStaleNamespaces()
    {
        var (code, list) = Shell.TryRun("ip", "netns", "list");
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
                Shell.TryRun("ip", "netns", "del", name);
                Shell.TryRun("ip", "link", "del", name[..^"-srv".Length]);
            }
        }
    }

    private static void KillNamespaceProcesses(string name)
    {
        var (code, pids) = Shell.TryRun("ip", "netns", "pids", name);
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
            Shell.Run("ssh-keygen", "-q", "-t", type, "-b", bits, "-N", "", "-C", $"tgl-host-{type}", "-f", Path.Combine(Directory, $"host_{type}"));
        }

        Shell.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tgl-user", "-f", UserKeyFile);
        Shell.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tgl-other", "-f", Path.Combine(Directory, "other_host_ed25519"));
        File.Copy(UserKeyFile + ".pub", Path.Combine(Directory, "authorized_keys"));
        File.WriteAllLines(KnownHostsPath, [KnownHostsLine(HostPublicKeyFile("ed25519")), KnownHostsLine(HostPublicKeyFile("ecdsa")), KnownHostsLine(HostPublicKeyFile("rsa"))]);
    }

    private void CreateNetwork()
    {
        Shell.Run("ip", "netns", "add", ServerNamespace);
        _namespaceCreated = true;
        var peer = RootLink + "p";
        Shell.Run("ip", "link", "add", RootLink, "type", "veth", "peer", "name", peer);
        Shell.Run("ip", "link", "set", peer, "netns", ServerNamespace);
        Shell.Run("ip", "addr", "add", $"{RootAddress}/30", "dev", RootLink);
        Shell.Run("ip", "link", "set", RootLink, "up");
        Shell.Run("ip", "-n", ServerNamespace, "addr", "add", $"{ServerAddress}/30", "dev", peer);
        Shell.Run("ip", "-n", ServerNamespace, "link", "set", peer, "up");
        Shell.Run("ip", "-n", ServerNamespace, "link", "set", "lo", "up");
    }

    private void StartSshd()
    {
        // FIELD-NOTES: sshd needs /run/sshd; keys under /tmp need StrictModes no; no PAM in a test config.
        System.IO.Directory.CreateDirectory("/run/sshd");
        var config = Path.Combine(Directory, "sshd_config");
        File.WriteAllText(config, $"""
            ListenAddress {ServerAddress}:{SshPort}
            HostKey {Directory}/host_ed25519
            HostKey {Directory}/host_ecdsa
            HostKey {Directory}/host_rsa
            PidFile none
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

            """);
        Shell.Run("/usr/sbin/sshd", "-t", "-f", config);

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
        _sshd = Process.Start(start) ?? throw new InvalidOperationException("cannot start sshd");
        _sshd.ErrorDataReceived += (_, e) => Append(e.Data);
        _sshd.OutputDataReceived += (_, e) => Append(e.Data);
        _sshd.BeginErrorReadLine();
        _sshd.BeginOutputReadLine();
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

    private async Task WaitForSshdAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (_sshd!.HasExited)
            {
                throw new InvalidOperationException($"sshd exited with {_sshd.ExitCode}: {SshdLog}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(ServerAddress, SshPort).ConfigureAwait(false);
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
                throw new TimeoutException($"sshd did not answer on {ServerAddress}:{SshPort} within 15 s: {SshdLog}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
