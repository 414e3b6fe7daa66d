namespace TunnelGuard.Ssh;

/// <summary>What one direction's key-exchange messages say about the side that sent them.</summary>
internal static class SshRoleHint
{
    public const int None = 0;
    public const int Client = 1;
    public const int Server = 2;
}
