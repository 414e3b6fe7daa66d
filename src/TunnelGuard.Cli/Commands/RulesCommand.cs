using System.CommandLine;
using TunnelGuard.Cli.Rules;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard rules check|test`: validate a policy, and try it on captures.</summary>
internal static class RulesCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("rules", "Check rule files and try them on captures (see docs/rules.md).");
        command.Subcommands.Add(Check(console));
        command.Subcommands.Add(Test(console));
        return command;
    }

    private static Command Check(CliConsole console)
    {
        var path = new Argument<string>("PATH") { Description = "a folder of *.yaml rule files, or one rule file" };
        var check = new Command("check", "Validate rule files: exit 0 with a summary, or exit 3 with one 'file:line:col: message' line per mistake.") { path };
        check.SetAction(parse => new RulesCheckRunner(console).Run(parse.GetValue(path)!));
        return check;
    }

    private static Command Test(CliConsole console)
    {
        var path = new Argument<string>("PATH") { Description = "a folder of *.yaml rule files, or one rule file" };
        var captures = new Argument<string[]>("PCAP") { Description = "capture files or folders", Arity = ArgumentArity.OneOrMore };
        var labelsFrom = new Option<string?>("--labels-from") { HelpName = "MANIFEST", Description = "take each connection's verdict label from a corpus manifest (pcaps/manifest.json)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "also say why each other rule did not match" };
        var test = new Command("test", "Replay captures and show which rules fire on which connection, and why.") { path, captures, labelsFrom, verbose };
        test.SetAction(parse => new RulesTestRunner(console).Run(parse.GetValue(path)!, parse.GetValue(captures) ?? [], parse.GetValue(labelsFrom), parse.GetValue(verbose)));
        return test;
    }
}
