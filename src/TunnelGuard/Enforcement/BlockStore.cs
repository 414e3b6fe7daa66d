using Microsoft.Data.Sqlite;
using TunnelGuard.Decoding;
using TunnelGuard.Storage;

namespace TunnelGuard.Enforcement;

/// <summary>
/// Blocks and their audit trail in SQLite (the same file as the alert store works; WAL, <c>synchronous=FULL</c>), so a
/// restarted monitor re-applies what has not run out, <c>tunnelguard blocks</c> can list and change them while a monitor
/// runs, and every block, re-application, expiry, removal and refusal is on record. Times are wall-clock microseconds.
/// Safe to use from several threads.
/// </summary>
public sealed class BlockStore : IDisposable
{
    private const string Columns = "id, address, peer, rule_id, reason, offence, created_us, expires_us, ended_us, end_reason";

    private readonly Lock _lock = new();

    // Null after Release: opened again at the next use.
    private SqliteConnection? _connection;

    private BlockStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    // Opens only a file that exists: a retry while its file system is unmounted must not make a new store in the bare
    // mount point.
    private SqliteConnection Connection => _connection ??= DurableSqlite.Open(Path, out _, CreateSchema, create: false);

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/>; throws <see cref="SqliteException"/> or IO errors.</summary>
    public static BlockStore Open(string path)
    {
        var connection = DurableSqlite.Open(path, out var full, CreateSchema);
        return new BlockStore(connection, full);
    }

    private static void CreateSchema(SqliteConnection connection) => DurableSqlite.Execute(connection, """
            CREATE TABLE IF NOT EXISTS blocks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                address TEXT NOT NULL,
                peer TEXT,
                rule_id TEXT NOT NULL,
                reason TEXT NOT NULL,
                offence INTEGER NOT NULL,
                created_us INTEGER NOT NULL,
                expires_us INTEGER NOT NULL,
                ended_us INTEGER,
                end_reason TEXT);
            CREATE INDEX IF NOT EXISTS blocks_open ON blocks (ended_us, expires_us);
            CREATE TABLE IF NOT EXISTS block_audit (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                time_us INTEGER NOT NULL,
                action TEXT NOT NULL,
                target TEXT,
                rule_id TEXT,
                detail TEXT NOT NULL);
            """);

    /// <summary>Records a block now in force; an open block of the same target is ended as replaced. Returns the stored record.</summary>
    public BlockRecord Add(FirewallBlock block, string ruleId, string reason, int offence, long nowMicros)
    {
        lock (_lock)
        {
            using var transaction = Connection.BeginTransaction();
            var peer = block.Scope == BlockScope.Pair ? block.Peer : null;
            EndOpen(transaction, block.Address, peer, "replaced", nowMicros);
            var expires = nowMicros + (block.Seconds * 1_000_000);
            using var insert = Connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO blocks (address, peer, rule_id, reason, offence, created_us, expires_us)
                VALUES ($address, $peer, $rule, $reason, $offence, $created, $expires) RETURNING id;
                """;
            insert.Parameters.AddWithValue("$address", block.Address.ToString());
            insert.Parameters.AddWithValue("$peer", (object?)peer?.ToString() ?? DBNull.Value);
            insert.Parameters.AddWithValue("$rule", ruleId);
            insert.Parameters.AddWithValue("$reason", reason);
            insert.Parameters.AddWithValue("$offence", offence);
            insert.Parameters.AddWithValue("$created", nowMicros);
            insert.Parameters.AddWithValue("$expires", expires);
            var id = (long)insert.ExecuteScalar()!;
            var record = new BlockRecord(id, block.Address, peer, ruleId, reason, offence, nowMicros, expires);
            AuditCore(transaction, nowMicros, "block", record.Target, ruleId, $"{block.Seconds}s, {reason}");
            transaction.Commit();
            return record;
        }
    }

    /// <summary>Blocks not ended and not run out at <paramref name="nowMicros"/>, oldest first.</summary>
    public IReadOnlyList<BlockRecord> Active(long nowMicros) =>
        Select("WHERE ended_us IS NULL AND expires_us > $now ORDER BY id", ("$now", nowMicros));

    /// <summary>Every block ever recorded, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<BlockRecord> All(int limit = 1000) => Select("ORDER BY id DESC LIMIT $limit", ("$limit", limit));

    /// <summary>Ends, as expired, every open block whose time ran out by <paramref name="nowMicros"/>, and returns them.</summary>
    public IReadOnlyList<BlockRecord> ExpireDue(long nowMicros)
    {
        lock (_lock)
        {
            var due = Select("WHERE ended_us IS NULL AND expires_us <= $now ORDER BY id", ("$now", nowMicros));
            if (due.Count == 0)
            {
                return due;
            }

            using var transaction = Connection.BeginTransaction();
            foreach (var record in due)
            {
                using var update = Connection.CreateCommand();
                update.Transaction = transaction;
                update.CommandText = "UPDATE blocks SET ended_us = $now, end_reason = 'expired' WHERE id = $id;";
                update.Parameters.AddWithValue("$now", nowMicros);
                update.Parameters.AddWithValue("$id", record.Id);
                update.ExecuteNonQuery();
                AuditCore(transaction, nowMicros, "expire", record.Target, record.RuleId, "ran out");
            }

            transaction.Commit();
            return [.. due.Select(r => r with { EndedMicros = nowMicros, EndReason = "expired" })];
        }
    }

    /// <summary>Ends the open blocks of a target as removed by <paramref name="by"/>; returns them (empty when there were none).</summary>
    public IReadOnlyList<BlockRecord> Remove(IpAddress address, IpAddress? peer, string by, long nowMicros)
    {
        lock (_lock)
        {
            using var transaction = Connection.BeginTransaction();
            var ended = EndOpen(transaction, address, peer, "removed", nowMicros);
            if (ended.Count > 0)
            {
                AuditCore(transaction, nowMicros, "unblock", ended[0].Target, ended[0].RuleId, $"removed by {by}");
            }

            transaction.Commit();
            return ended;
        }
    }

    /// <summary>Adds a line to the audit trail.</summary>
    public void Audit(long nowMicros, string action, string? target, string? ruleId, string detail)
    {
        lock (_lock)
        {
            using var transaction = Connection.BeginTransaction();
            AuditCore(transaction, nowMicros, action, target, ruleId, detail);
            transaction.Commit();
        }
    }

    /// <summary>The audit trail, newest first, at most <paramref name="limit"/> lines.</summary>
    public IReadOnlyList<BlockAuditEntry> AuditTrail(int limit = 1000)
    {
        lock (_lock)
        {
            using var command = Connection.CreateCommand();
            command.CommandText = "SELECT seq, time_us, action, target, rule_id, detail FROM block_audit ORDER BY seq DESC LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<BlockAuditEntry>();
            while (reader.Read())
            {
                entries.Add(new BlockAuditEntry(
                    reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5)));
            }

            return entries;
        }
    }

    /// <summary>
    /// Closes the file after a write failed, so that the monitor does not hold the file system (a file system the kernel
    /// turned read-only must be unmounted to be repaired). The next call opens the file again.
    /// </summary>
    public void Release()
    {
        lock (_lock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }

    public void Dispose() => Release();

    private List<BlockRecord> EndOpen(SqliteTransaction transaction, IpAddress address, IpAddress? peer, string reason, long nowMicros)
    {
        var open = Select(
            transaction,
            peer is null
                ? "WHERE ended_us IS NULL AND address = $address AND peer IS NULL"
                : "WHERE ended_us IS NULL AND ((address = $address AND peer = $peer) OR (address = $peer AND peer = $address))",
            ("$address", address.ToString()),
            ("$peer", (object?)peer?.ToString() ?? DBNull.Value));
        foreach (var record in open)
        {
            using var update = Connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = "UPDATE blocks SET ended_us = $now, end_reason = $reason WHERE id = $id;";
            update.Parameters.AddWithValue("$now", nowMicros);
            update.Parameters.AddWithValue("$reason", reason);
            update.Parameters.AddWithValue("$id", record.Id);
            update.ExecuteNonQuery();
        }

        return [.. open.Select(r => r with { EndedMicros = nowMicros, EndReason = reason })];
    }

    private List<BlockRecord> Select(string clause, params (string Name, object Value)[] parameters) => Select(null, clause, parameters);

    private List<BlockRecord> Select(SqliteTransaction? transaction, string clause, params (string Name, object Value)[] parameters)
    {
        lock (_lock)
        {
            using var command = Connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT {Columns} FROM blocks {clause};";
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            using var reader = command.ExecuteReader();
            var records = new List<BlockRecord>();
            while (reader.Read())
            {
                records.Add(new BlockRecord(
                    reader.GetInt64(0),
                    IpAddress.Parse(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : IpAddress.Parse(reader.GetString(2)),
                    reader.GetString(3),
                    reader.GetString(4),
                    reader.GetInt32(5),
                    reader.GetInt64(6),
                    reader.GetInt64(7),
                    reader.IsDBNull(8) ? null : reader.GetInt64(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            }

            return records;
        }
    }

    private void AuditCore(SqliteTransaction transaction, long nowMicros, string action, string? target, string? ruleId, string detail)
    {
        using var insert = Connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO block_audit (time_us, action, target, rule_id, detail) VALUES ($time, $action, $target, $rule, $detail);";
        insert.Parameters.AddWithValue("$time", nowMicros);
        insert.Parameters.AddWithValue("$action", action);
        insert.Parameters.AddWithValue("$target", (object?)target ?? DBNull.Value);
        insert.Parameters.AddWithValue("$rule", (object?)ruleId ?? DBNull.Value);
        insert.Parameters.AddWithValue("$detail", detail);
        insert.ExecuteNonQuery();
    }
}
