namespace TunnelGuard.Lab.Lab;

/// <summary>
/// Names and addresses of the lab's hosts. Only 198.18.4.0/24 (the outside segment: client, jump host, SSH server,
/// joined by a bridge in the switch namespace, where captures are taken) and 198.18.5.0/24 (the inside segment: SSH
/// server to inner service host) are used; no host has a route anywhere else.
/// </summary>
public static class LabTopology
{
    public const string Prefix = "tglab-";
    public const string Switch = Prefix + "sw";
    public const string Client = Prefix + "cli";
    public const string Server = Prefix + "srv";
    public const string Jump = Prefix + "jmp";
    public const string Inner = Prefix + "inn";

    /// <summary>The bridge in the switch namespace; tcpdump on it sees every frame of the outside segment.</summary>
    public const string Bridge = "br0";

    public const string ClientAddress = "198.18.4.10";
    public const string ServerAddress = "198.18.4.20";
    public const string JumpAddress = "198.18.4.30";

    /// <summary>A second address on the jump host for plain (not SSH) services on SSH's port.</summary>
    public const string DecoyAddress = "198.18.4.31";
    public const string ServerInsideAddress = "198.18.5.20";
    public const string InnerAddress = "198.18.5.10";

    public const int SshPort = 22;

    /// <summary>The SSH server also listens here: SSH on a port other than 22.</summary>
    public const int AlternateSshPort = 2022;
    public const int HttpPort = 80;
    public const int EchoPort = 7;
    public const int ChatPort = 2323;
    public const int BulkPort = 9000;

    /// <summary>Every namespace the lab creates, the switch first.</summary>
    public static IReadOnlyList<string> Namespaces { get; } = [Switch, Client, Server, Jump, Inner];

    /// <summary>The state directory: what `lab down` needs to clean up after a crash.</summary>
    public const string StateDirectory = "/run/tunnelguard-lab";
}
