namespace TunnelGuard.Lab.Lab;

/// <summary>Where a running lab keeps its keys, configs, served files and logs (all under the state directory).</summary>
public static class LabPaths
{
    public static string Keys => Path.Combine(LabTopology.StateDirectory, "keys");

    public static string Logs => Path.Combine(LabTopology.StateDirectory, "logs");

    public static string Files => Path.Combine(LabTopology.StateDirectory, "files");

    /// <summary>The client's private key (OpenSSH format), authorized on every lab sshd.</summary>
    public static string UserKey => Path.Combine(Keys, "id_ed25519");

    /// <summary>The same key in Dropbear's format, for dbclient.</summary>
    public static string DropbearUserKey => Path.Combine(Keys, "id_ed25519.dropbear");

    /// <summary>The same key in PuTTY's format (.ppk, unencrypted), for plink.</summary>
    public static string PuttyUserKey => Path.Combine(Keys, "id_ed25519.ppk");

    /// <summary>known_hosts naming every lab sshd, for clients that verify host keys (tunnelguard tunnel).</summary>
    public static string KnownHosts => Path.Combine(Keys, "known_hosts");

    public static string HostKey(string type) => Path.Combine(Keys, "ssh_host_" + type + "_key");

    public static string SshdConfig(string host) => Path.Combine(LabTopology.StateDirectory, "sshd-" + host + ".conf");
}
