using System.Security.Cryptography;

namespace TunnelGuard.Rules;

/// <summary>
/// Keeps a running engine's policy in step with its files: every <c>interval</c> it hashes the policy's files (names
/// and contents, so editors' rename-into-place and same-second edits are seen) and, when they changed, loads them
/// again. A valid policy replaces the engine's; a broken one is reported and the last good policy stays in force.
/// Polling, not file-system events: it also works for bind mounts and symlink swaps (Kubernetes ConfigMaps).
/// </summary>
public sealed class RuleReloader : IDisposable
{
    private readonly string _path;
    private readonly RuleEngine _engine;
    private readonly Action<RuleLoadResult>? _onChange;
    private readonly Lock _lock = new();
    private readonly ITimer? _timer;
    private string _fingerprint;

    /// <param name="path">The policy folder or file the engine's rules came from.</param>
    /// <param name="engine">The engine whose policy is replaced.</param>
    /// <param name="onChange">Told of every reload attempt after a change: valid (now in force) or not (ignored, with every mistake).</param>
    /// <param name="time">Drives the polling timer; null means no timer (call <see cref="CheckNow"/>).</param>
    /// <param name="interval">How often the timer looks at the files.</param>
    public RuleReloader(string path, RuleEngine engine, Action<RuleLoadResult>? onChange, TimeProvider? time, TimeSpan interval)
    {
        _path = path;
        _engine = engine;
        _onChange = onChange;
        _fingerprint = Fingerprint(path);
        _timer = time?.CreateTimer(_ => CheckNow(), null, interval, interval);
    }

    /// <summary>How many times a changed policy was loaded and put in force.</summary>
    public int Reloads { get; private set; }

    /// <summary>How many times a changed policy was broken and ignored.</summary>
    public int Rejected { get; private set; }

    /// <summary>Reloads if the files changed since the last look; true when a new policy was put in force.</summary>
    public bool CheckNow()
    {
        lock (_lock)
        {
            var fingerprint = Fingerprint(_path);
            if (fingerprint == _fingerprint)
            {
                return false;
            }

            // Remember a broken version too, so that it is reported once rather than at every poll.
            _fingerprint = fingerprint;
            var result = RuleLoader.Load(_path);
            if (result.RuleSet is { } rules)
            {
                _engine.Rules = rules;
                Reloads++;
            }
            else
            {
                Rejected++;
            }

            _onChange?.Invoke(result);
            return result.IsValid;
        }
    }

    /// <summary>
    /// One log line for a reload attempt: what is in force now, or why the change was ignored (every mistake as
    /// <c>file:line:column: message</c>, the first five, then how many more) and that the last good policy stays.
    /// </summary>
    public string Describe(RuleLoadResult result)
    {
        var inForce = _engine.Rules.Rules.Count;
        if (result.IsValid)
        {
            return $"rules reloaded from {_path}: {inForce} rule(s) in force";
        }

        const int Shown = 5;
        var mistakes = string.Join("; ", result.Errors.Take(Shown));
        var more = result.Errors.Count > Shown ? $"; and {result.Errors.Count - Shown} more" : string.Empty;
        return $"rules in {_path} not reloaded, keeping the last good policy ({inForce} rule(s)): {result.Errors.Count} mistake(s): {mistakes}{more}";
    }

    public void Dispose() => _timer?.Dispose();

    private static string Fingerprint(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            var files = File.Exists(path)
                ? [path]
                : Directory.Exists(path)
                    ? Directory.EnumerateFiles(path).Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList()
                    : [];
            foreach (var file in files)
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\0"));
                hash.AppendData(File.ReadAllBytes(file));
                hash.AppendData([0]);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Mid-write or mid-rename: a fingerprint that differs from any real one makes the next poll look again.
            return "unreadable:" + ex.Message;
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
