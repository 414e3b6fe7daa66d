namespace TunnelGuard.Rules;

/// <summary>The verdict vocabulary rules may name (docs/rules.md, ARCHITECTURE.md "Verdicts").</summary>
public static class VerdictLabels
{
    public const string Interactive = "interactive";
    public const string Exec = "exec";
    public const string FileTransfer = "file-transfer";
    public const string ForwardLocal = "forward-local";
    public const string ForwardRemote = "forward-remote";
    public const string ForwardDynamic = "forward-dynamic";
    public const string Unknown = "unknown";
    public const string NotSsh = "not-ssh";

    public static IReadOnlyList<string> All { get; } =
        [Interactive, Exec, FileTransfer, ForwardLocal, ForwardRemote, ForwardDynamic, Unknown, NotSsh];

    public static bool IsKnown(string label) => All.Contains(label, StringComparer.Ordinal);
}
