namespace TunnelGuard.Reporting;

/// <summary>What one side of an SSH connection showed: its identification and, from its KEXINIT, its HASSH.</summary>
public sealed record SshSideReport(string? ProtoVersion, string? SoftwareVersion, string? Comments, string? Hassh, string? HasshString, int PreBannerLines)
{
    /// <summary>Everything after <c>SSH-protoversion-</c>: the software version and, after a space, its comments.</summary>
    public string? FullSoftwareVersion => Comments is null ? SoftwareVersion : $"{SoftwareVersion} {Comments}";
}
