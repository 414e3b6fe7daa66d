using System.Globalization;
using Microsoft.Data.Sqlite;
using TunnelGuard.Classification;
using TunnelGuard.Reporting;
using TunnelGuard.Storage;

namespace TunnelGuard.Alerts;

/// <summary>
/// The durable alert store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so an alert whose
/// <see cref="TryAdd"/> has returned is on disk and survives the process being killed. Readers (the <c>alerts</c>
/// commands) may open the same file while a monitor writes to it. One instance is used by one thread at a time.
/// </summary>
public sealed class AlertStore : IDisposable
{
    // Schema version, kept in PRAGMA user_version; bump with a migration when the tables change.
    // 1: alerts and alert_notes. 2: verdict_changes, each alerted connection's timeline.
    private const int SchemaVersion = 2;

    private const string Columns =
        "id, time_us, rule_id, severity, title, action, client_ip, client_port, server_ip, server_port, label, confidence, source, status, json";

    // Null after Release: opened again at the next use.
    private SqliteConnection? _connection;

    private AlertStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    // Opened again only if the file is there: while its file system is unmounted, a new empty store in the bare mount
    // point would take the alerts and then be hidden under the file system when it is mounted again.
    private SqliteConnection Connection => _connection ??= DurableSqlite.Open(Path, out _, CreateSchema, create: false);

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>.</summary>
    public static AlertStore Open(string path)
    {
        var connection = DurableSqlite.Open(path, out var full, CreateSchema);
        return new AlertStore(connection, full);
    }

    /// <summary>The journal mode SQLite reports for this connection ("wal").</summary>
    public string JournalMode => Scalar("PRAGMA journal_mode;") as string ?? string.Empty;

    /// <summary>
    /// Commits the alert with its connection's verdict timeline, in one transaction; false when an alert with the same
    /// id is already stored (a replay run twice).
    /// </summary>
    public bool TryAdd(Alert alert)
    {
        using var transaction = Connection.BeginTransaction();
        using var command = Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT OR IGNORE INTO alerts ({Columns}) VALUES ($id, $time, $rule, $severity, $title, $action, $cip, $cport, $sip, $sport, $label, $confidence, $source, 'open', $json);";
        command.Parameters.AddWithValue("$id", alert.Id);
        command.Parameters.AddWithValue("$time", alert.TimeMicros);
        command.Parameters.AddWithValue("$rule", alert.RuleId);
        command.Parameters.AddWithValue("$severity", (int)alert.Severity);
        command.Parameters.AddWithValue("$title", alert.Title);
        command.Parameters.AddWithValue("$action", alert.Action);
        command.Parameters.AddWithValue("$cip", alert.Client.Address.ToString());
        command.Parameters.AddWithValue("$cport", (int)alert.Client.Port);
        command.Parameters.AddWithValue("$sip", alert.Server.Address.ToString());
        command.Parameters.AddWithValue("$sport", (int)alert.Server.Port);
        command.Parameters.AddWithValue("$label", alert.Verdict.Label);
        command.Parameters.AddWithValue("$confidence", alert.Verdict.Confidence);
        command.Parameters.AddWithValue("$source", (object?)alert.Pcap ?? alert.Sensor ?? (object)DBNull.Value);
        command.Parameters.AddWithValue("$json", AlertJsonWriter.ToJson(alert));
        var added = command.ExecuteNonQuery() == 1;
        if (added)
        {
            InsertChanges(transaction, alert.Id, alert.VerdictChanges);
        }

        transaction.Commit();
        return added;
    }

    /// <summary>
    /// Adds the verdict changes an alerted connection went through after its alert was raised (a monitor raises it
    /// on the change that matched, and learns the rest as the connection goes on); changes already stored and ids
    /// not in the store are ignored. Returns how many changes were added.
    /// </summary>
    public int AddVerdictChanges(string id, IReadOnlyList<VerdictChange> changes)
    {
        using var transaction = Connection.BeginTransaction();
        var added = InsertChanges(transaction, id, changes);
        transaction.Commit();
        return added;
    }

    private int InsertChanges(SqliteTransaction transaction, string id, IReadOnlyList<VerdictChange> changes)
    {
        var added = 0;
        foreach (var change in changes)
        {
            using var insert = Connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT OR IGNORE INTO verdict_changes (alert_id, at_us, after_s, label, confidence)
                SELECT $id, $at, $after, $label, $confidence WHERE EXISTS (SELECT 1 FROM alerts WHERE id = $id);
                """;
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$at", change.AtMicros);
            insert.Parameters.AddWithValue("$after", change.AfterSeconds);
            insert.Parameters.AddWithValue("$label", change.Verdict.Label);
            insert.Parameters.AddWithValue("$confidence", change.Verdict.Confidence);
            added += insert.ExecuteNonQuery();
        }

        return added;
    }

    /// <summary>Alerts matching the query, newest first.</summary>
    public IReadOnlyList<AlertRecord> Query(AlertQuery query)
    {
        using var command = Connection.CreateCommand();
        var where = new List<string>();
        if (query.SinceMicros is { } since)
        {
            where.Add("time_us >= $since");
            command.Parameters.AddWithValue("$since", since);
        }

        if (query.MinSeverity is { } severity)
        {
            where.Add("severity >= $severity");
            command.Parameters.AddWithValue("$severity", (int)severity);
        }

        if (query.Status is { } status)
        {
            where.Add("status = $status");
            command.Parameters.AddWithValue("$status", AlertStatuses.Name(status));
        }

        if (query.RuleId is { } rule)
        {
            where.Add("rule_id = $rule");
            command.Parameters.AddWithValue("$rule", rule);
        }

        command.CommandText = $"SELECT {Columns} FROM alerts{(where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where))} ORDER BY time_us DESC, id;";
        var records = new List<AlertRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var record = Read(reader);
            if (query.Network is { } network && !record.Involves(network))
            {
                continue;
            }

            records.Add(record);
            if (records.Count == query.Limit)
            {
                break;
            }
        }

        return records;
    }

    /// <summary>One alert with its triage history, or null.</summary>
    public AlertRecord? Get(string id)
    {
        AlertRecord? record;
        using (var command = Connection.CreateCommand())
        {
            command.CommandText = $"SELECT {Columns} FROM alerts WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            record = reader.Read() ? Read(reader) : null;
        }

        if (record is null)
        {
            return null;
        }

        var history = new List<AlertNote>();
        using (var command = Connection.CreateCommand())
        {
            command.CommandText = "SELECT at_us, status, note FROM alert_notes WHERE alert_id = $id ORDER BY seq;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                AlertStatuses.TryParse(reader.GetString(1), out var status);
                history.Add(new AlertNote(reader.GetInt64(0), status, reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        var timeline = new List<VerdictChange>();
        using (var command = Connection.CreateCommand())
        {
            command.CommandText = "SELECT at_us, after_s, label, confidence FROM verdict_changes WHERE alert_id = $id ORDER BY at_us, rowid;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var verdict = Verdict.None with { Label = reader.GetString(2), Confidence = reader.GetDouble(3) };
                timeline.Add(new VerdictChange(reader.GetInt64(0), reader.GetDouble(1), verdict));
            }
        }

        return record with { History = history, Timeline = timeline };
    }

    /// <summary>Moves an alert to a status with an optional note (wall time); false when there is no such alert.</summary>
    public bool SetStatus(string id, AlertStatus status, string? note, long atMicros)
    {
        using var transaction = Connection.BeginTransaction();
        using var update = Connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE alerts SET status = $status WHERE id = $id;";
        update.Parameters.AddWithValue("$status", AlertStatuses.Name(status));
        update.Parameters.AddWithValue("$id", id);
        if (update.ExecuteNonQuery() == 0)
        {
            return false;
        }

        using var insert = Connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO alert_notes (alert_id, at_us, status, note) VALUES ($id, $at, $status, $note);";
        insert.Parameters.AddWithValue("$id", id);
        insert.Parameters.AddWithValue("$at", atMicros);
        insert.Parameters.AddWithValue("$status", AlertStatuses.Name(status));
        insert.Parameters.AddWithValue("$note", (object?)note ?? DBNull.Value);
        insert.ExecuteNonQuery();
        transaction.Commit();
        return true;
    }

    public long Count() => (long)(Scalar("SELECT count(*) FROM alerts;") ?? 0L);

    /// <summary>
    /// Closes the file after a write failed, so that nothing of the monitor holds the file system open for writing:
    /// it can then be repaired under a running monitor (a file system the kernel turned read-only after an error
    /// needs unmounting and mounting again). The next call opens the file again.
    /// </summary>
    public void Release()
    {
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>
    /// Why the store cannot be written, in words, beyond SQLite's own message ("disk I/O error" is all SQLite says
    /// when the file system is read-only): what the system says when a file is created beside the store.
    /// </summary>
    public string? WhyNotWritable()
    {
        try
        {
            var probe = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path) ?? ".", $".{System.IO.Path.GetFileName(Path)}.probe");
            using var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            file.WriteByte(0);
            file.Flush(flushToDisk: true);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    public void Dispose() => Release();

    private static AlertRecord Read(SqliteDataReader r)
    {
        AlertStatuses.TryParse(r.GetString(13), out var status);
        return new AlertRecord(
            r.GetString(0),
            r.GetInt64(1),
            r.GetString(2),
            (AlertSeverity)r.GetInt32(3),
            r.GetString(4),
            r.GetString(5),
            AlertRecord.ParseEndpoint(r.GetString(6), r.GetInt64(7)),
            AlertRecord.ParseEndpoint(r.GetString(8), r.GetInt64(9)),
            r.GetString(10),
            r.GetDouble(11),
            r.IsDBNull(12) ? null : r.GetString(12),
            status,
            r.GetString(14));
    }

    private object? Scalar(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void CreateSchema(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version == SchemaVersion)
        {
            return;
        }

        if (version > SchemaVersion)
        {
            throw new InvalidDataException($"alert store schema version {version} is newer than this tunnelguard understands ({SchemaVersion})");
        }

        // Each step takes the file from one version to the next, so a file of any older version is brought up to date.
        using var transaction = connection.BeginTransaction();
        using var create = connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText = (version < 1 ? Version1 : string.Empty) + (version < 2 ? Version2 : string.Empty)
            + $"PRAGMA user_version = {SchemaVersion.ToString(CultureInfo.InvariantCulture)};";
        create.ExecuteNonQuery();
        transaction.Commit();
    }

    private const string Version1 = """
        CREATE TABLE IF NOT EXISTS alerts (
            id TEXT PRIMARY KEY,
            time_us INTEGER NOT NULL,
            rule_id TEXT NOT NULL,
            severity INTEGER NOT NULL,
            title TEXT NOT NULL,
            action TEXT NOT NULL,
            client_ip TEXT NOT NULL,
            client_port INTEGER NOT NULL,
            server_ip TEXT NOT NULL,
            server_port INTEGER NOT NULL,
            label TEXT NOT NULL,
            confidence REAL NOT NULL,
            source TEXT,
            status TEXT NOT NULL,
            json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS alerts_time ON alerts (time_us);
        CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status, time_us);
        CREATE TABLE IF NOT EXISTS alert_notes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id TEXT NOT NULL REFERENCES alerts (id),
            at_us INTEGER NOT NULL,
            status TEXT NOT NULL,
            note TEXT);
        CREATE INDEX IF NOT EXISTS alert_notes_alert ON alert_notes (alert_id);

        """;

    // Alerts stored by version 1 keep an empty timeline: their JSON never had one.
    private const string Version2 = """
        CREATE TABLE IF NOT EXISTS verdict_changes (
            alert_id TEXT NOT NULL REFERENCES alerts (id),
            at_us INTEGER NOT NULL,
            after_s REAL NOT NULL,
            label TEXT NOT NULL,
            confidence REAL NOT NULL,
            PRIMARY KEY (alert_id, at_us, label));

        """;
}
