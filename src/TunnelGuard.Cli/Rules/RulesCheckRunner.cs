using TunnelGuard.Rules;

namespace TunnelGuard.Cli.Rules;

/// <summary>`tunnelguard rules check PATH`: exit 0 with a summary, or exit 3 with one <c>file:line:col: message</c> line per mistake.</summary>
internal sealed class RulesCheckRunner(CliConsole console)
{
    public int Run(string path)
    {
        var result = RuleLoader.Load(path);
        if (!PrintErrors(console, result))
        {
            return ExitCodes.BadInput;
        }

        var rules = result.RuleSet!;
        var alerting = rules.Rules.Count(r => r.Alert is not null);
        var blocking = rules.Rules.Count(r => r.Block is not null);
        var allowing = rules.Rules.Count(r => r.Allow);
        console.Out.WriteLine($"{path}: ok: {rules.Rules.Count} rule(s) in {rules.Files.Count} file(s) ({alerting} alert, {blocking} block, {allowing} allow), {rules.ListCount} named list(s)");
        foreach (var rule in rules.Rules)
        {
            console.Out.WriteLine($"  {rule.Id,-32} {rule.ActionSummary,-28} {rule.Position}");
        }

        return ExitCodes.Success;
    }

    /// <summary>Prints each error on standard error; true when there were none.</summary>
    public static bool PrintErrors(CliConsole console, RuleLoadResult result)
    {
        foreach (var warning in result.Warnings)
        {
            console.Error.WriteLine(Replay.TerminalText.Safe($"{warning.Position}: warning: {warning.Message}", 1000));
        }

        foreach (var error in result.Errors)
        {
            console.Error.WriteLine(Replay.TerminalText.Safe(error.ToString(), 1000));
        }

        if (result.Errors.Count > 0)
        {
            console.Error.WriteLine($"{result.Errors.Count} error(s); the policy was not loaded");
        }

        return result.IsValid;
    }
}
