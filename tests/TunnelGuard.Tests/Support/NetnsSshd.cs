using System.Diagnostics;

namespace TunnelGuard.Tests.Support;

/// <summary>
/// A real OpenSSH sshd in a network namespace of its own, with generated host and user keys: on 127.0.0.1, or with
/// <c>twoHosts</c> on 198.18.6.2 behind a veth pair whose other end, 198.18.6.1, is a client namespace.
/// Dispose ends every process it started by PID and deletes the namespaces, also when the test failed.
/// </summary>
internal sealed class NetnsSshd : IDisposable
{
    public const string ClientAddress = "198.18.6.1";
    public const string ServerAddress = "198.18.6.2";

    private readonly List<Process> _processes = [];
    private readonly TempDirectory _dir = new();

    public NetnsSshd(int port = 22, bool twoHosts = false)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        Namespace = "tgt-" + id;
        ClientNamespace = twoHosts ? "tgc-" + id : Namespace;
        Port = port;
        Address = twoHosts ? ServerAddress : "127.0.0.1";
        try
        {
            ProcessRunner.Run("ip", "netns", "add", Namespace);
            ProcessRunner.Run("ip", "-n", Namespace, "link", "set", "lo", "up");
            if (twoHosts)
            {
                ProcessRunner.Run("ip", "netns", "add", ClientNamespace);
                ProcessRunner.Run("ip", "-n", ClientNamespace, "link", "set", "lo", "up");
                ProcessRunner.Run("ip", "link", "add", "tgv" + id, "netns", ClientNamespace, "type", "veth", "peer", "name", "tgw" + id, "netns", Namespace);
                ProcessRunner.Run("ip", "-n", ClientNamespace, "addr", "add", ClientAddress + "/24", "dev", "tgv" + id);
                ProcessRunner.Run("ip", "-n", Namespace, "addr", "add", ServerAddress + "/24", "dev", "tgw" + id);
                ProcessRunner.Run("ip", "-n", ClientNamespace, "link", "set", "tgv" + id, "up");
                ProcessRunner.Run("ip", "-n", Namespace, "link", "set", "tgw" + id, "up");
                ServerInterface = "tgw" + id;
            }

            Directory.CreateDirectory("/run/sshd");
            ProcessRunner.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", _dir.File("host_key"));
            ProcessRunner.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", UserKey);
            File.Copy(UserKey + ".pub", _dir.File("authorized_keys"));
            File.WriteAllText(_dir.File("sshd_config"), $"""
                Port {port}
                ListenAddress {Address}
                HostKey {_dir.File("host_key")}
                AuthorizedKeysFile {_dir.File("authorized_keys")}
                PidFile none
                StrictModes no
                UsePAM no
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                """);
            var sshd = StartInNamespace("/usr/sbin/sshd", "-D", "-e", "-f", _dir.File("sshd_config"));
            WaitForListener(sshd);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Namespace { get; }

    /// <summary>Where clients run: the server's own namespace, or the client host's.</summary>
    public string ClientNamespace { get; }

    public string Address { get; }

    /// <summary>The server side of the veth pair, in two-host mode.</summary>
    public string ServerInterface { get; } = "lo";

    public int Port { get; }

    public string UserKey => _dir.File("user_key");

    /// <summary>Starts a process inside the server's namespace; it is killed on dispose if still running.</summary>
    public Process StartInNamespace(string file, params string[] args) => StartIn(Namespace, file, args);

    /// <summary>Starts a process in the client's namespace; it is killed on dispose if still running.</summary>
    public Process StartOnClient(string file, params string[] args) => StartIn(ClientNamespace, file, args);

    /// <summary>The OpenSSH client arguments that reach this server with the test key, without host key prompts.</summary>
    public string[] SshArguments(params string[] extra) =>
    [
        "ssh", "-i", UserKey, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
        "-o", "ConnectTimeout=3", .. extra, "root@" + Address,
    ];

    private Process StartIn(string ns, string file, string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["netns", "exec", ns, file, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs the OpenSSH client in the namespace against this server and returns its output.</summary>
    public string Ssh(string command) => ProcessRunner.Run("ip", ["netns", "exec", ClientNamespace, .. SshArguments(), command]);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        foreach (var ns in new[] { Namespace, ClientNamespace }.Distinct())
        {
            try
            {
                ProcessRunner.Run("ip", "netns", "delete", ns);
            }
            catch (InvalidOperationException)
            {
            }
        }

        _dir.Dispose();
    }

    private void WaitForListener(Process sshd)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (sshd.HasExited)
            {
                throw new InvalidOperationException("sshd exited: " + sshd.StandardError.ReadToEnd());
            }

            var listening = ProcessRunner.Run("ip", "netns", "exec", Namespace, "ss", "-Hltn", $"sport = :{Port}");
            if (listening.Contains("LISTEN", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException("sshd did not start listening within 10 s");
    }
}
