namespace TunnelGuard.Tests.Support;

/// <summary>Runs the CLI as the nobody user through setpriv(1), with no capability or only the ones given.</summary>
internal static class Unprivileged
{
    /// <summary>The capabilities the monitor documents that it needs (README, docs/hardening.md).</summary>
    public const string MonitorCapabilities = "+net_raw,+net_admin";

    public static string Cli => Path.Combine(AppContext.BaseDirectory, "tunnelguard.dll");

    /// <summary>
    /// setpriv arguments that drop to nobody:nogroup with no supplementary groups, and keep only
    /// <paramref name="capabilities"/> (if any) as inheritable, ambient and bounding capabilities, with no_new_privs set
    /// as the systemd unit does (deploy/systemd/tunnelguard.service).
    /// </summary>
    public static string[] AsNobody(string? capabilities) => capabilities is null
        ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        : ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--no-new-privs", $"--inh-caps=-all,{capabilities}", $"--ambient-caps={capabilities}", $"--bounding-set=-all,{capabilities}"];

    /// <summary>The command line that runs `tunnelguard ARGS` as nobody (HOME set so that dotnet does not try root's).</summary>
    public static string[] Command(string? capabilities, string cli, params string[] args) =>
        ["HOME=/tmp", "DOTNET_CLI_HOME=/tmp", .. AsNobody(capabilities), "dotnet", cli, .. args];

    /// <summary>
    /// The CLI at a path the nobody user can read: where the build put it, or a copy under <paramref name="scratch"/>
    /// when the checkout sits below a folder only root may enter (CI clones anywhere).
    /// </summary>
    public static string ReadableCli(TempDirectory scratch)
    {
        try
        {
            ProcessRunner.Run("setpriv", [.. AsNobody(null)[1..], "test", "-r", Cli]);
            return Cli;
        }
        catch (InvalidOperationException)
        {
            var copy = Path.Combine(scratch.Path, "cli");
            ProcessRunner.Run("cp", "-r", AppContext.BaseDirectory, copy);
            ProcessRunner.Run("chmod", "-R", "a+rX", scratch.Path);
            return Path.Combine(copy, "tunnelguard.dll");
        }
    }
}
