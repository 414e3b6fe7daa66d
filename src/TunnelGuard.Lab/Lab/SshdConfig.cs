namespace TunnelGuard.Lab.Lab;

/// <summary>Writes an sshd_config for one lab host: keys under the state directory, public key auth for root only.</summary>
internal static class SshdConfig
{
    public static string Write(string host, params string[] listenAddresses)
    {
        var path = LabPaths.SshdConfig(host);
        var lines = new List<string> { $"Port {LabTopology.SshPort}" };
        lines.AddRange(listenAddresses.Select(a => $"ListenAddress {a}"));
        lines.AddRange(
        [
            $"HostKey {LabPaths.HostKey("ed25519")}",
            $"HostKey {LabPaths.HostKey("ecdsa")}",
            $"HostKey {LabPaths.HostKey("rsa")}",
            $"AuthorizedKeysFile {Path.Combine(LabPaths.Keys, "authorized_keys")}",
            $"PidFile {Path.Combine(LabTopology.StateDirectory, "sshd-" + host + ".pid")}",

            // Keys live under /run, not in a home directory; no PAM in a namespace.
            "StrictModes no",
            "UsePAM no",
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "AllowTcpForwarding yes",
            "GatewayPorts no",
            "X11Forwarding no",
            "PrintMotd no",
            "PrintLastLog no",
            "UseDNS no",
            "MaxSessions 20",
            "MaxStartups 50",

            // Typed commands must not land in root's real shell history.
            "SetEnv HISTFILE=/dev/null",
            "Subsystem sftp internal-sftp",
            "LogLevel VERBOSE",
        ]);
        File.WriteAllLines(path, lines);
        HostCommand.Run("/usr/sbin/sshd", "-t", "-f", path);
        return path;
    }
}
