using System.CommandLine;
using TunnelGuard.Alerts;
using TunnelGuard.Cli.Alerts;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard alerts list|show|ack|close|export`: triage over the SQLite alert store.</summary>
internal static class AlertsCommand
{
    public static Command Create(CliConsole console, TimeProvider? time = null)
    {
        var runner = new AlertsRunner(console, time ?? TimeProvider.System);
        var db = StoreOption.Create("the alert store");
        var command = new Command("alerts", "List, inspect and triage stored alerts.") { db };
        command.Subcommands.Add(List(runner, db));
        command.Subcommands.Add(Show(runner, db));
        command.Subcommands.Add(Status(runner, db, "ack", "Acknowledge an alert, with a note.", AlertStatus.Acknowledged, noteRequired: true));
        command.Subcommands.Add(Status(runner, db, "close", "Close an alert.", AlertStatus.Closed, noteRequired: false));
        command.Subcommands.Add(Export(runner, db));
        return command;
    }

    private static Command List(AlertsRunner runner, Option<string?> db)
    {
        var since = new Option<string?>("--since") { HelpName = "DURATION|TIME", Description = "only alerts since a duration ago (1h, 7d) or an RFC 3339 time" };
        var severity = new Option<string?>("--severity") { HelpName = "SEVERITY", Description = "only alerts of at least this severity: low, medium, high, critical" };
        var status = new Option<string?>("--status") { HelpName = "STATUS", Description = "only alerts in this status: open, acknowledged, closed" };
        var rule = new Option<string?>("--rule") { HelpName = "ID", Description = "only alerts of this rule id" };
        var ip = new Option<string?>("--ip") { HelpName = "CIDR", Description = "only alerts whose client or server is in this address or CIDR" };
        var format = new Option<string?>("--format", "-f") { Description = "table or jsonl (default: table on a terminal, jsonl otherwise)" };
        format.AcceptOnlyFromAmong("table", "jsonl");
        var limit = new Option<int?>("--limit") { HelpName = "N", Description = "at most this many alerts, newest first" };
        var list = new Command("list", "List stored alerts, newest first.") { since, severity, status, rule, ip, format, limit };
        list.SetAction(p => runner.List(p.GetValue(db), new AlertListOptions(
            p.GetValue(since), p.GetValue(severity), p.GetValue(status), p.GetValue(rule), p.GetValue(ip), p.GetValue(format), p.GetValue(limit))));
        return list;
    }

    private static Command Show(AlertsRunner runner, Option<string?> db)
    {
        var id = new Argument<string>("ID") { Description = "the alert id (tg-...)" };
        var format = new Option<string?>("--format", "-f") { Description = "text (default) or jsonl" };
        format.AcceptOnlyFromAmong("text", "jsonl");
        var show = new Command("show", "Show one alert: the rule that fired and why, the connection, the verdict and its evidence, the triage history.") { id, format };
        show.SetAction(p => runner.Show(p.GetValue(db), p.GetValue(id)!, p.GetValue(format)));
        return show;
    }

    private static Command Status(AlertsRunner runner, Option<string?> db, string name, string description, AlertStatus status, bool noteRequired)
    {
        var id = new Argument<string>("ID") { Description = "the alert id (tg-...)" };
        var note = new Option<string?>("--note") { HelpName = "TEXT", Description = "what the analyst found or did", Required = noteRequired };
        var command = new Command(name, description) { id, note };
        command.SetAction(p => runner.SetStatus(p.GetValue(db), p.GetValue(id)!, status, p.GetValue(note)));
        return command;
    }

    private static Command Export(AlertsRunner runner, Option<string?> db)
    {
        var output = new Option<string?>("--output", "-o") { HelpName = "FILE", Description = "write to FILE instead of standard output" };
        var export = new Command("export", "Write every stored alert, oldest first, as JSON lines with its triage status and history.") { output };
        export.SetAction(p => runner.Export(p.GetValue(db), p.GetValue(output)));
        return export;
    }
}
