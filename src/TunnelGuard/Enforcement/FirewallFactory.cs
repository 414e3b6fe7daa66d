namespace TunnelGuard.Enforcement;

/// <summary>Picks the backend: nftables where nft exists, iptables + ipset where only those do, else an error.</summary>
public static class FirewallFactory
{
    private static readonly string[] SearchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public static IFirewall Create(string backend, CommandRunner? runner = null) => backend switch
    {
        "nftables" => new NftablesFirewall(runner),
        "iptables" => new IptablesFirewall(runner),
        "dry-run" => new DryRunFirewall(),
        "auto" when Installed("nft") => new NftablesFirewall(runner),
        "auto" when Installed("iptables") && Installed("ipset") => new IptablesFirewall(runner),
        "auto" => throw new FirewallException("neither nft nor iptables with ipset is installed (Debian: apt-get install nftables)"),
        _ => throw new ArgumentException($"unknown firewall backend '{backend}' (expected auto, nftables, iptables or dry-run)", nameof(backend)),
    };

    private static bool Installed(string tool) => SearchPath.Any(dir => File.Exists(Path.Combine(dir, tool)));
}
