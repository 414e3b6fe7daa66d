namespace TunnelGuard.Lab.Lab;

/// <summary>How to start this same `tunnelguard` program again (inside a namespace): the apphost, or `dotnet tunnelguard.dll`.</summary>
public static class SelfCommand
{
    /// <summary>Overrides the detected command, e.g. for a library used outside the CLI.</summary>
    public static IReadOnlyList<string>? Override { get; set; }

    public static IReadOnlyList<string> Prefix
    {
        get
        {
            if (Override is { } set)
            {
                return set;
            }

            var process = Environment.ProcessPath ?? throw new LabException("cannot tell this program's path");
            if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            {
                var assembly = Environment.GetCommandLineArgs()[0];
                return [process, Path.GetFullPath(assembly)];
            }

            return [process];
        }
    }

    public static string[] With(params string[] args) => [.. Prefix, .. args];
}
