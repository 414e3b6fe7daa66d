namespace TunnelGuard.Ssh;

/// <summary>
/// An SSH identification line (RFC 4253 §4.2): <c>SSH-protoversion-softwareversion SP comments</c>.
/// Strings are as received; outputs escape them.
/// </summary>
public sealed record SshIdentification(string ProtoVersion, string SoftwareVersion, string? Comments)
{
    /// <summary>SSH-1.x other than 1.99 (which means "2.0 and 1.x") cannot speak the SSH-2 key exchange.</summary>
    public bool IsSsh1Only => ProtoVersion.StartsWith("1.", StringComparison.Ordinal) && ProtoVersion != "1.99";
}
