namespace TunnelGuard.Lab.Lab;

/// <summary>
/// A connection a scenario makes, by the addresses that identify it in the capture (the client's port is read from
/// the capture), with its labels; the first label is the primary one.
/// </summary>
public sealed record ExpectedConnection(string ClientAddress, string ServerAddress, int ServerPort, IReadOnlyList<string> Labels)
{
    public string Primary => Labels[0];

    public bool IsSsh => Primary != TunnelGuard.Classification.Labels.NotSsh;

    /// <summary>The usual case: the lab client to the SSH server's port 22.</summary>
    public static ExpectedConnection ToServer(params string[] labels) =>
        new(LabTopology.ClientAddress, LabTopology.ServerAddress, LabTopology.SshPort, labels);
}
