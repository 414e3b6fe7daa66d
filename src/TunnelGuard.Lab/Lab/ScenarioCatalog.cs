namespace TunnelGuard.Lab.Lab;

/// <summary>Every lab scenario by name. Sizes are small by default; the scenario's seed draws them.</summary>
public static partial class ScenarioCatalog
{
    private const string Server = LabTopology.ServerAddress;
    private const string Inner = LabTopology.InnerAddress;

    public static IReadOnlyList<Scenario> All { get; } =
    [
        .. Sessions(),
        .. Forwards(),
        .. OtherClients(),
        .. Plink(),
    ];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>Resolves "all" or a comma-separated list of names; unknown names throw.</summary>
    public static IReadOnlyList<Scenario> Select(string list)
    {
        if (list.Trim() == "all")
        {
            return All;
        }

        var selected = new List<Scenario>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            selected.Add(Find(name) ?? throw new LabException($"unknown scenario '{name}'; known: {string.Join(", ", All.Select(s => s.Name))}"));
        }

        return selected;
    }

    private static string Str(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Task TypeAsync(ScenarioContext context, string name, string ns, int commands, bool obfuscate, CancellationToken cancellationToken, params string[] terminal)
    {
        string[] drive = ["type", "--seed", Str(context.Seed), "--commands", Str(commands)];
        if (obfuscate)
        {
            drive = [.. drive, "--obfuscate"];
        }

        return context.RunAsync(name, ns, cancellationToken, ScenarioContext.Drive([.. drive, "--", .. terminal]));
    }

    // Starts a forwarder in the client, waits for its listener (in the client for -L, the server for -R), moves bulk
    // both ways through it, and stops it.
    private static async Task BulkThroughAsync(ScenarioContext context, string name, string[] forwarder, string listenerNs, int port, CancellationToken cancellationToken)
    {
        var process = context.Start(name, LabTopology.Client, forwarder);
        await context.WaitListeningAsync(process, listenerNs, port, cancellationToken).ConfigureAwait(false);
        await BulkAsync(context, listenerNs, "127.0.0.1:" + Str(port), context.Size("up_bytes", 100_000, 300_000), context.Size("down_bytes", 300_000, 900_000), cancellationToken).ConfigureAwait(false);
        await ScenarioContext.StopAsync(process).ConfigureAwait(false);
    }

    private static Task BulkAsync(ScenarioContext context, string ns, string target, long up, long down, CancellationToken cancellationToken) =>
        context.RunAsync("bulk", ns, cancellationToken, ScenarioContext.Drive("bulk", "--connect", target, "--up", Str(up), "--down", Str(down)));
}
