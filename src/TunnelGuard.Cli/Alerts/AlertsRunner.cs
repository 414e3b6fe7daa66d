using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TunnelGuard.Alerts;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Cli.Alerts;

/// <summary>
/// The `tunnelguard alerts` commands over the SQLite store: list, show, ack, close, export. A missing store, an unknown
/// id or a bad filter exits with 3 and one line saying what is wrong.
/// </summary>
internal sealed class AlertsRunner(CliConsole console, TimeProvider time)
{
    public const string DbVariable = "TUNNELGUARD_ALERTS_DB";
    public const string DefaultDb = "/var/lib/tunnelguard/alerts.db";

    public static string ResolveDb(string? db) => db ?? Environment.GetEnvironmentVariable(DbVariable) ?? DefaultDb;

    public int List(string? db, AlertListOptions options)
    {
        if (!TryQuery(options, out var query, out var problem))
        {
            console.Error.WriteLine($"tunnelguard: {problem}");
            return ExitCodes.BadInput;
        }

        return WithStore(db, store =>
        {
            var records = store.Query(query);
            if (options.Format == "jsonl" || (options.Format is null && !console.OutIsTerminal))
            {
                foreach (var record in records)
                {
                    console.Out.WriteLine(AlertRecordJson.ToJson(record));
                }
            }
            else
            {
                AlertTableWriter.Write(console.Out, records);
            }

            return ExitCodes.Success;
        });
    }

    public int Show(string? db, string id, string? format) => WithStore(db, store =>
    {
        if (store.Get(id) is not { } record)
        {
            console.Error.WriteLine($"tunnelguard: no alert '{TerminalText.Safe(id, 80)}' in {store.Path}");
            return ExitCodes.BadInput;
        }

        if (format == "jsonl")
        {
            console.Out.WriteLine(AlertRecordJson.ToJson(record));
        }
        else
        {
            WriteDetails(record);
        }

        return ExitCodes.Success;
    });

    public int SetStatus(string? db, string id, AlertStatus status, string? note) => WithStore(db, store =>
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        if (!store.SetStatus(id, status, note, now))
        {
            console.Error.WriteLine($"tunnelguard: no alert '{TerminalText.Safe(id, 80)}' in {store.Path}");
            return ExitCodes.BadInput;
        }

        console.Out.WriteLine($"{id}: {AlertStatuses.Name(status)}");
        return ExitCodes.Success;
    });

    public int Export(string? db, string? outputFile) => WithStore(db, store =>
    {
        TextWriter output = console.Out;
        StreamWriter? file = null;
        try
        {
            if (outputFile is not null)
            {
                file = new StreamWriter(outputFile, append: false, new System.Text.UTF8Encoding(false));
                output = file;
            }

            var records = store.Query(AlertQuery.All);
            foreach (var record in records.Reverse())
            {
                output.WriteLine(AlertRecordJson.ToJson(store.Get(record.Id) ?? record));
            }

            if (file is not null)
            {
                console.Error.WriteLine($"exported {records.Count} alert(s) to {outputFile}");
            }

            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"tunnelguard: {outputFile}: cannot write: {ex.Message}");
            return ExitCodes.BadInput;
        }
        finally
        {
            file?.Dispose();
        }
    });

    private int WithStore(string? db, Func<AlertStore, int> action)
    {
        var path = ResolveDb(db);
        if (!File.Exists(path))
        {
            console.Error.WriteLine($"tunnelguard: {path}: no alert store here (alerts are stored by 'replay --alerts-db FILE' or the monitor)");
            return ExitCodes.BadInput;
        }

        try
        {
            using var store = AlertStore.Open(path);
            return action(store);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidDataException)
        {
            console.Error.WriteLine($"tunnelguard: {path}: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }

    private bool TryQuery(AlertListOptions o, out AlertQuery query, out string? problem)
    {
        query = AlertQuery.All;
        problem = null;
        if (o.Since is { } since)
        {
            if (DurationText.TryParse(since, out var back))
            {
                query = query with { SinceMicros = (time.GetUtcNow() - back.Value).ToUnixTimeMilliseconds() * 1000 };
            }
            else if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && since.Contains('T', StringComparison.Ordinal))
            {
                query = query with { SinceMicros = (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10 };
            }
            else
            {
                problem = $"bad --since '{since}' (expected {DurationText.Expected}, or an RFC 3339 time such as 2026-11-23T10:00:00Z)";
                return false;
            }
        }

        if (o.Severity is { } severityText)
        {
            if (!AlertSeverities.TryParse(severityText, out var severity))
            {
                problem = $"bad --severity '{severityText}' (expected {AlertSeverities.Expected})";
                return false;
            }

            query = query with { MinSeverity = severity };
        }

        if (o.Status is { } statusText)
        {
            if (!AlertStatuses.TryParse(statusText, out var status))
            {
                problem = $"bad --status '{statusText}' (expected open, acknowledged or closed)";
                return false;
            }

            query = query with { Status = status };
        }

        if (o.Ip is { } ip)
        {
            if (!IpCidr.TryParse(ip, out var cidrProblem, out var network))
            {
                problem = $"bad --ip: {cidrProblem}";
                return false;
            }

            query = query with { Network = network };
        }

        query = query with { RuleId = o.Rule, Limit = o.Limit };
        return true;
    }

    private void WriteDetails(AlertRecord record)
    {
        using var doc = JsonDocument.Parse(record.Json);
        var root = doc.RootElement;
        var alert = root.GetProperty("alert");
        var o = console.Out;
        o.WriteLine($"id           {record.Id}");
        o.WriteLine($"time         {PacketTime.ToRfc3339(record.TimeMicros)} (packet time)");
        o.WriteLine($"rule         {TerminalText.Safe(record.RuleId, 80)} ({AlertSeverities.Name(record.Severity)}): {TerminalText.Safe(record.Title, 200)}");
        if (alert.TryGetProperty("block", out var block))
        {
            var addresses = string.Join(' ', block.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
            var enforced = block.GetProperty("enforced").GetBoolean() ? "enforced" : "not enforced";
            o.WriteLine($"action       block {block.GetProperty("target").GetString()} {addresses} for {DurationText.Format(TimeSpan.FromSeconds(block.GetProperty("duration_s").GetInt64()))} ({enforced}, repeat {block.GetProperty("repeat").GetInt32()})");
        }
        else
        {
            o.WriteLine("action       alert");
        }

        var ssh = root.GetProperty("ssh");
        o.WriteLine($"client       {record.Client}  {TerminalText.Safe(ssh.GetProperty("client").GetProperty("software_version").GetString(), 80)}  hassh {Text(ssh.GetProperty("client"), "hassh")}");
        o.WriteLine($"server       {record.Server}  {TerminalText.Safe(ssh.GetProperty("server").GetProperty("software_version").GetString(), 80)}  hassh {Text(ssh.GetProperty("server"), "hassh")}");
        o.WriteLine($"community_id {root.GetProperty("community_id").GetString()}");
        o.WriteLine($"source       {TerminalText.Safe(record.Source, 200)}");
        var verdict = root.GetProperty("verdict");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verdict      {record.Label} (confidence {record.Confidence:0.00}; labels {string.Join(", ", verdict.GetProperty("labels").EnumerateArray().Select(l => l.GetString()))})"));
        Lines("evidence", verdict.GetProperty("evidence"));
        Timeline(record, recorded: verdict.TryGetProperty("changes", out _));
        Lines("why", alert.GetProperty("reasons"));
        o.WriteLine($"status       {AlertStatuses.Name(record.Status)}");
        foreach (var step in record.History)
        {
            o.WriteLine($"  {PacketTime.ToRfc3339(step.AtMicros)}  {AlertStatuses.Name(step.Status),-12} {TerminalText.Safe(step.Note, 400)}");
        }
    }

    /// <summary>The connection's verdict changes, with the one the rule decided on marked.</summary>
    private void Timeline(AlertRecord record, bool recorded)
    {
        if (record.Timeline.Count == 0)
        {
            console.Out.WriteLine(recorded ? "timeline     (no verdict changes)" : "timeline     (not recorded: stored by a version without timelines)");
            return;
        }

        var decided = -1;
        for (var i = 0; i < record.Timeline.Count && record.Timeline[i].AtMicros <= record.TimeMicros; i++)
        {
            decided = i;
        }

        for (var i = 0; i < record.Timeline.Count; i++)
        {
            var change = record.Timeline[i];
            var mark = i == decided ? "  <- rule decided here" : string.Empty;
            console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{(i == 0 ? "timeline" : string.Empty),-12} {PacketTime.ToRfc3339(change.AtMicros)}  +{change.AfterSeconds:0.000}s  {TerminalText.Safe(change.Verdict.Label, 40)} ({change.Verdict.Confidence:0.00}){mark}"));
        }
    }

    private void Lines(string title, JsonElement array)
    {
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            console.Out.WriteLine($"{(first ? title : string.Empty),-12} - {TerminalText.Safe(item.GetString(), 400)}");
            first = false;
        }

        if (first)
        {
            console.Out.WriteLine($"{title,-12} (none)");
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "-";
}
