using System.Diagnostics;
using System.Text;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>The built `tunnelguard` CLI run as a child process, with its output collected line by line.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string StandardOutput => Read(_stdout);

    public string StandardError => Read(_stderr);

    /// <summary>The CLI assembly built beside this test assembly's configuration (Debug or Release).</summary>
    public static string CliAssemblyPath
    {
        get
        {
            var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = baseDirectory.Name;
            var configuration = baseDirectory.Parent!.Name;
            var root = baseDirectory;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "TunnelGuard.sln")))
            {
                root = root.Parent;
            }

            if (root is null)
            {
                throw new InvalidOperationException($"no TunnelGuard.sln above {AppContext.BaseDirectory}");
            }

            var path = Path.Combine(root.FullName, "src", "TunnelGuard.Cli", "bin", configuration, framework, "tunnelguard.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("build the CLI first", path);
        }
    }

    public static CliProcess Start(params string[] args) => StartCore(null, new Dictionary<string, string>(), args);

    /// <summary>Starts the CLI inside a network namespace (<c>ip netns exec</c> execs it, so <see cref="Id"/> is the CLI's PID).</summary>
    public static CliProcess StartIn(string ns, params string[] args) => StartCore(ns, new Dictionary<string, string>(), args);

    /// <summary>Starts the CLI with extra environment variables (secrets such as --password-env's).</summary>
    public static CliProcess StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) => StartCore(null, environment, args);

    private static CliProcess StartCore(string? ns, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(ns is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (ns is not null)
        {
            start.ArgumentList.Add("netns");
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(ns);
            start.ArgumentList.Add("dotnet");
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(CliAssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new CliProcess(Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet"));
    }

    /// <summary>Waits until stdout holds a line containing <paramref name="text"/>; fails early if the process exits.</summary>
    public Task<string> WaitForOutputAsync(string text, TimeSpan timeout) => WaitForLineAsync(_stdout, text, timeout);

    /// <summary>Waits until stderr (where the monitor logs) holds a line containing <paramref name="text"/>.</summary>
    public Task<string> WaitForErrorAsync(string text, TimeSpan timeout) => WaitForLineAsync(_stderr, text, timeout);

    private async Task<string> WaitForLineAsync(StringBuilder stream, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var line in Read(stream).Split('\n'))
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"tunnelguard exited {_process.ExitCode} before printing '{text}'. stdout: {StandardOutput} stderr: {StandardError}");
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"tunnelguard did not print '{text}' in {timeout}. stdout: {StandardOutput} stderr: {StandardError}");
            }

            await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, 200)));
        }
    }

    /// <summary>Sends a signal to this process, by its PID.</summary>
    public void Signal(string name) => HostCommand.Run("kill", $"-{name}", Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);

        // The parameterless wait also drains the redirected output.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5_000);
        }

        _process.Dispose();
        _lineArrived.Dispose();
    }

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }

        _lineArrived.Release();
    }
}
