namespace TunnelGuard.Lab.Lab;

/// <summary>Generates the lab's host keys, the client key (also in Dropbear's and PuTTY's formats) and a known_hosts file.</summary>
internal static class LabKeys
{
    public static void Generate()
    {
        Directory.CreateDirectory(LabPaths.Keys);
        foreach (var (type, bits) in new[] { ("ed25519", "256"), ("ecdsa", "256"), ("rsa", "2048") })
        {
            HostCommand.Run("ssh-keygen", "-q", "-t", type, "-b", bits, "-N", "", "-C", "tglab-host", "-f", LabPaths.HostKey(type));
        }

        HostCommand.Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tglab-user", "-f", LabPaths.UserKey);
        File.Copy(LabPaths.UserKey + ".pub", Path.Combine(LabPaths.Keys, "authorized_keys"), overwrite: true);
        if (File.Exists("/usr/bin/dropbearconvert"))
        {
            HostCommand.Run("/usr/bin/dropbearconvert", "openssh", "dropbear", LabPaths.UserKey, LabPaths.DropbearUserKey);
        }

        // PUTTYDIR keeps puttygen's random seed file out of root's home.
        if (File.Exists("/usr/bin/puttygen"))
        {
            HostCommand.Run("env", $"PUTTYDIR={Path.Combine(LabPaths.Keys, "putty")}", "/usr/bin/puttygen", LabPaths.UserKey, "-O", "private", "-o", LabPaths.PuttyUserKey);
        }

        var lines = new List<string>();
        foreach (var type in new[] { "ed25519", "ecdsa", "rsa" })
        {
            var fields = File.ReadAllText(LabPaths.HostKey(type) + ".pub").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var host in new[] { LabTopology.ServerAddress, LabTopology.JumpAddress, "127.0.0.1" })
            {
                lines.Add($"{host} {fields[0]} {fields[1]}");
            }
        }

        File.WriteAllLines(LabPaths.KnownHosts, lines);
    }

    /// <summary>SHA256 fingerprint of a host key as ssh-keygen -lf prints it (unpadded base64 of the key blob's hash).</summary>
    public static string HostKeySha256(string type)
    {
        var blob = Convert.FromBase64String(File.ReadAllText(LabPaths.HostKey(type) + ".pub").Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        return "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(blob)).TrimEnd('=');
    }
}
