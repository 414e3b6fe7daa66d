using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Lab;

/// <summary>tshark as the independent oracle: what a capture holds, read without any TunnelGuard code.</summary>
internal static class Tshark
{
    /// <summary>Rows of the given fields for packets matching <paramref name="filter"/>; SSH is decoded on 22 and 2022.</summary>
    public static IReadOnlyList<string[]> Fields(string pcap, string filter, params string[] fields)
    {
        List<string> args = ["-r", pcap, "-n", "-d", "tcp.port==2022,ssh", "-Y", filter, "-T", "fields", "-E", "separator=|"];
        foreach (var field in fields)
        {
            args.AddRange(["-e", field]);
        }

        var output = HostCommand.Run("tshark", [.. args]);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("Running as user", StringComparison.Ordinal))
            .Select(line => line.Split('|'))];
    }

    /// <summary>"ip:port" pairs (initiator, responder) of every TCP connection whose SYN is in the capture.</summary>
    public static IReadOnlyList<(string Initiator, string Responder)> Syns(string pcap) =>
        [.. Fields(pcap, "tcp.flags.syn==1 && tcp.flags.ack==0", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport")
            .Select(f => ($"{f[0]}:{f[1]}", $"{f[2]}:{f[3]}"))
            .Distinct()];

    /// <summary>SSH identification strings with the endpoint that sent them.</summary>
    public static IReadOnlyList<(string Sender, string Banner)> Banners(string pcap) =>
        [.. Fields(pcap, "ssh.protocol", "ip.src", "tcp.srcport", "ssh.protocol").Select(f => ($"{f[0]}:{f[1]}", f[2]))];
}
