using System.Globalization;
using System.Net.Sockets;
using System.Text;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Cli;

/// <summary>
/// The monitor under a service manager: it sends READY=1 on the NOTIFY_SOCKET once capture runs and STOPPING=1 on
/// SIGTERM. There is no systemd on the test machine, so the monitor is started the way Microsoft.Extensions.Hosting's
/// systemd detection also accepts (PID 1 of its own PID namespace, with NOTIFY_SOCKET set, as in a container) and the
/// test plays the service manager's side of the socket. Root only.
/// </summary>
public sealed class MonitorSystemdTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll");

    [Fact]
    public void Monitor_NotifiesReady_ThenStopping_OnTheNotifySocket()
    {
        using var host = new NetnsSshd(port: 2022);
        using var dir = new TempDirectory();
        var socketPath = dir.File("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        socket.ReceiveTimeout = 60_000;

        var unshare = host.StartInNamespace(
            "env", $"NOTIFY_SOCKET={socketPath}", "unshare", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL",
            "dotnet", Cli, "monitor", "-i", "lo", "--metrics", "off", "--format", "jsonl", "--duration", "120");

        var ready = Receive(socket);
        var monitorPid = ChildOf(unshare.Id);
        host.Ssh("echo notified");
        ProcessRunner.Run("kill", "-TERM", monitorPid.ToString(CultureInfo.InvariantCulture));
        var stopping = Receive(socket);
        var stdout = unshare.StandardOutput.ReadToEnd();
        Assert.True(unshare.WaitForExit(30_000));

        Assert.Contains("READY=1", ready, StringComparison.Ordinal);
        Assert.Contains("STOPPING=1", stopping, StringComparison.Ordinal);
        Assert.Contains("\"event_type\":\"ssh\"", stdout, StringComparison.Ordinal);
        Assert.Equal(0, unshare.ExitCode);
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        var length = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>The PID (in this namespace) of the one child unshare forked.</summary>
    private static int ChildOf(int pid)
    {
        var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(Assert.Single(children), CultureInfo.InvariantCulture);
    }
}
