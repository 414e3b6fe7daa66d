namespace TunnelGuard.Classification;

/// <summary>The verdict vocabulary, the same in CLI output, alerts, metrics and manifests.</summary>
public static class Labels
{
    public const string Interactive = "interactive";
    public const string Exec = "exec";
    public const string FileTransfer = "file-transfer";
    public const string ForwardLocal = "forward-local";
    public const string ForwardRemote = "forward-remote";
    public const string ForwardDynamic = "forward-dynamic";
    public const string Unknown = "unknown";
    public const string NotSsh = "not-ssh";

    /// <summary>The six use labels a classifier chooses from, in a fixed order.</summary>
    public static readonly string[] Classes = [Interactive, Exec, FileTransfer, ForwardLocal, ForwardRemote, ForwardDynamic];

    /// <summary>How dangerous a use is: a connection carrying several reports the highest as its verdict.</summary>
    /// <summary>Every label a verdict or a rule may name, including unknown and not-ssh.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Classes, Unknown, NotSsh];

    public static bool IsKnown(string label) => All.Contains(label, StringComparer.Ordinal);

    public static int Danger(string label) => label switch
    {
        ForwardRemote => 6,
        ForwardDynamic => 5,
        ForwardLocal => 4,
        FileTransfer => 3,
        Interactive => 2,
        Exec => 1,
        _ => 0,
    };

    public static bool IsForward(string label) => label is ForwardLocal or ForwardRemote or ForwardDynamic;
}
