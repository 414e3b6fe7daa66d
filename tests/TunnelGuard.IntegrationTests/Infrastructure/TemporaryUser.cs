using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>
/// A local user with a random password, for password logins to a test sshd: made with useradd and chpasswd, removed
/// with userdel -r on dispose. Its name holds the test process's PID, so a later run removes the users of a run that
/// crashed (and only those: a user whose process still lives belongs to a run going on in parallel).
/// No login shell (nologin): the user can forward ports, never run a command.
/// </summary>
public sealed class TemporaryUser : IDisposable
{
    private const string Prefix = "tgpw";

    private bool _removed;

    private TemporaryUser(string name, string password)
    {
        Name = name;
        Password = password;
    }

    public string Name { get; }

    public string Password { get; }

    public static TemporaryUser Create()
    {
        RemoveStale();
        var name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}x{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}");

        // A space and punctuation, so that quoting mistakes on the way to the server show.
        var password = "pw " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)) + "!";
        HostCommand.Run("useradd", "--create-home", "--shell", "/usr/sbin/nologin", "--comment", "TunnelGuard test user", name);
        var user = new TemporaryUser(name, password);
        try
        {
            SetPassword(name, password);
            return user;
        }
        catch
        {
            user.Dispose();
            throw;
        }
    }

    /// <summary>Whether a user of this name exists now (getent passwd).</summary>
    public static bool Exists(string name) => HostCommand.TryRun("getent", "passwd", name).ExitCode == 0;

    public void Dispose()
    {
        if (!_removed)
        {
            _removed = true;
            Remove(Name);
        }
    }

    private static void Remove(string name)
    {
        // userdel -r exits 12 when only the mail spool was missing; what counts is that the user is gone.
        var (code, output) = HostCommand.TryRun("userdel", "--remove", name);
        if (Exists(name))
        {
            throw new InvalidOperationException($"userdel --remove {name} exited {code}: {output}");
        }
    }

    private static void RemoveStale()
    {
        foreach (var line in File.ReadAllLines("/etc/passwd"))
        {
            var name = line.Split(':')[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var digits = name[Prefix.Length..].Split('x')[0];
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                Remove(name);
            }
        }
    }

    // chpasswd reads "name:password" from stdin, so the password never shows in a process list.
    private static void SetPassword(string name, string password)
    {
        var start = new ProcessStartInfo("chpasswd")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start chpasswd");
        process.StandardInput.WriteLine($"{name}:{password}");
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"chpasswd for {name} did not finish in 30 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"chpasswd for {name} failed: {error}");
        }
    }
}
