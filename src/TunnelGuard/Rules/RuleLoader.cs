namespace TunnelGuard.Rules;

/// <summary>
/// Reads a policy: every <c>*.yaml</c> and <c>*.yml</c> directly in a folder (not its subfolders), sorted by file name
/// (ordinal), or one file. Nothing is half-loaded: any mistake gives no policy and every mistake found.
/// </summary>
public static class RuleLoader
{
    public static RuleLoadResult Load(string path)
    {
        var position = new SourcePosition(path, 1, 1);
        List<string> files;
        if (File.Exists(path))
        {
            files = [path];
        }
        else if (Directory.Exists(path))
        {
            files = [.. Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)];
            if (files.Count == 0)
            {
                return new RuleLoadResult(null, [new RuleError(position, "no rule files here (expected *.yaml or *.yml files)")]);
            }
        }
        else
        {
            return new RuleLoadResult(null, [new RuleError(position, "no such file or directory")]);
        }

        var sources = new List<RuleSource>();
        foreach (var file in files)
        {
            try
            {
                sources.Add(new RuleSource(file, File.ReadAllText(file)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new RuleLoadResult(null, [new RuleError(new SourcePosition(file, 1, 1), $"cannot read: {ex.Message}")]);
            }
        }

        return Parse(sources);
    }

    /// <summary>Parses rule files given as text, in the order given.</summary>
    public static RuleLoadResult Parse(IReadOnlyList<RuleSource> sources) => new RuleParser().Parse(sources);

    public static RuleLoadResult Parse(string name, string text) => Parse([new RuleSource(name, text)]);
}
