using System.Diagnostics;

namespace TunnelGuard.Tests.Support;

/// <summary>
/// A real OpenSSH sshd on 127.0.0.1 inside a network namespace of its own, with generated host and user keys.
/// Dispose ends every process it started by PID and deletes the namespace, also when the test failed.
/// </summary>
internal sealed class LoopbackSshd : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly TempDirectory _dir = new();

    public LoopbackSshd(int port = 22)
    {
        Namespace = "tgt-" + Guid.NewGuid().ToString("N")[..8];
        Port = port;
        try
        {
            ProcessRunner.Run("ip", "netns", "add", Namespace);
            ProcessRunner.Run("ip", "-n", Namespace, "link", "set", "lo", "up");
            Directory.CreateDirectory("/run/sshd");
            ProcessRunner.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", _dir.File("host_key"));
            ProcessRunner.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", UserKey);
            File.Copy(UserKey + ".pub", _dir.File("authorized_keys"));
            File.WriteAllText(_dir.File("sshd_config"), $"""
                Port {port}
                ListenAddress 127.0.0.1
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

    public int Port { get; }

    public string UserKey => _dir.File("user_key");

    /// <summary>Starts a process inside the namespace; it is killed on dispose if still running.</summary>
    public Process StartInNamespace(string file, params string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["netns", "exec", Namespace, file, .. args])
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs the OpenSSH client in the namespace against this server and returns its output.</summary>
    public string Ssh(string command) => ProcessRunner.Run(
        "ip", "netns", "exec", Namespace, "ssh", "-i", UserKey, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
        "root@127.0.0.1", command);

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

        try
        {
            ProcessRunner.Run("ip", "netns", "delete", Namespace);
        }
        catch (InvalidOperationException)
        {
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
