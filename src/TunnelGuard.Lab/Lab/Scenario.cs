namespace TunnelGuard.Lab.Lab;

/// <summary>One labelled, seedable piece of lab traffic: what it runs and which connections (with labels) it makes.</summary>
public sealed record Scenario(
    string Name,
    ClientKind Client,
    string Description,
    IReadOnlyList<ExpectedConnection> Connections,
    Func<ScenarioContext, CancellationToken, Task> RunAsync)
{
    public string ClientTag => Client switch
    {
        ClientKind.OpenSsh => "openssh",
        ClientKind.SshNet => "sshnet",
        ClientKind.Dropbear => "dropbear",
        ClientKind.Plink => "plink",
        _ => "none",
    };
}
