using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TunnelGuard.Storage;

/// <summary>
/// Opens the SQLite files TunnelGuard keeps (alerts, blocks): parent folder created, WAL so readers and one writer
/// work side by side across processes, <c>synchronous=FULL</c> so a committed row survives a crash, and a busy timeout
/// instead of an immediate SQLITE_BUSY while another process writes.
/// </summary>
public static class DurableSqlite
{
    private const int BusyTimeoutMs = 5000;

    /// <summary>
    /// The open connection and the full path; runs <paramref name="schema"/> before returning. With
    /// <paramref name="create"/> false a missing file is an error, not a new empty store.
    /// </summary>
    public static SqliteConnection Open(string path, out string fullPath, Action<SqliteConnection> schema, bool create = true)
    {
        fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = fullPath, Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {BusyTimeoutMs.ToString(CultureInfo.InvariantCulture)};");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, "PRAGMA synchronous = FULL;");
            schema(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
