namespace TunnelGuard.Tests.Support;

/// <summary>Finds the repository's folders from wherever the test runner starts.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Pcaps => Path.Combine(Root, "pcaps");

    /// <summary>The committed (slimmed) lab corpus the shipped model is trained on.</summary>
    public static string Training => Path.Combine(Root, "training");

    /// <summary>The shipped model as committed, not the copy in the build output.</summary>
    public static string ShippedModel => Path.Combine(Root, "models", "tunnelguard-shape-model.zip");

    /// <summary>Every committed capture, as xunit theory data (file name relative to pcaps/).</summary>
    public static TheoryData<string> PcapFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Pcaps, "*.pcap*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Pcaps, file));
        }

        return data;
    }

    public static string Pcap(string name) => Path.Combine(Pcaps, name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TunnelGuard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TunnelGuard.sln not found above " + AppContext.BaseDirectory);
    }
}
