using System.CommandLine;

namespace TunnelGuard.Cli.Alerts;

/// <summary>The <c>--db FILE</c> option of the commands that read the SQLite store (alerts, blocks), with its default named.</summary>
internal static class StoreOption
{
    public static Option<string?> Create(string what) => new("--db")
    {
        HelpName = "FILE",
        Description = $"{what} (default: ${AlertsRunner.DbVariable}, then {AlertsRunner.DefaultDb})",
        Recursive = true,
    };
}
