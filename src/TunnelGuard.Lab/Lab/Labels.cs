namespace TunnelGuard.Lab.Lab;

/// <summary>The verdict vocabulary used for labels in the manifest.</summary>
public static class Labels
{
    public const string Interactive = "interactive";
    public const string Exec = "exec";
    public const string FileTransfer = "file-transfer";
    public const string ForwardLocal = "forward-local";
    public const string ForwardRemote = "forward-remote";
    public const string ForwardDynamic = "forward-dynamic";
    public const string NotSsh = "not-ssh";

    public static IReadOnlyList<string> All { get; } = [Interactive, Exec, FileTransfer, ForwardLocal, ForwardRemote, ForwardDynamic, NotSsh];
}
