using System.Diagnostics;
using System.Text;

namespace TunnelGuard.Lab.Drivers;

/// <summary>
/// Plays a <see cref="TypistPlan"/> into the standard input of a terminal client (`ssh -tt`, `dbclient -t`), one
/// write per key, and drains its output. After each Enter it waits until the output has been quiet for 300 ms.
/// With <c>obfuscate</c> it imitates OpenSSH ≥ 9.5 keystroke timing obfuscation: while typing and for 1–3 s after,
/// a same-size packet (a NUL key, which the shell ignores) every 20 ms ± 10 %.
/// </summary>
public sealed class TypistRunner
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan MaxOutputWait = TimeSpan.FromSeconds(15);

    private readonly IReadOnlyList<TypistStep> _plan;
    private readonly bool _obfuscate;
    private readonly Random _chaffRandom;
    private readonly Lock _writeLock = new();
    private long _lastOutputTicks = Environment.TickCount64;
    private long _chaffUntilTicks;

    public TypistRunner(IReadOnlyList<TypistStep> plan, int seed, bool obfuscate)
    {
        _plan = plan;
        _obfuscate = obfuscate;
        _chaffRandom = new Random(seed ^ 0x5eed);
    }

    public long OutputBytes { get; private set; }

    /// <summary>Starts <paramref name="command"/>, types the plan, and returns its exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        var drain = DrainAsync(process.StandardOutput.BaseStream);
        try
        {
            await TypeAsync(process.StandardInput.BaseStream, () => process.HasExited, cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            await drain.ConfigureAwait(false);
        }

        return process.ExitCode;
    }

    /// <summary>Types the plan into a shell stream (SSH.NET's ShellStream) whose output is read from the same stream.</summary>
    public async Task RunAsync(Stream shell, Func<bool> closed, CancellationToken cancellationToken)
    {
        var drain = DrainAsync(shell);
        await TypeAsync(shell, closed, cancellationToken).ConfigureAwait(false);
        var deadline = Environment.TickCount64 + 15_000;
        while (!closed() && Environment.TickCount64 < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAny(drain, Task.Delay(2_000, cancellationToken)).ConfigureAwait(false);
    }

    private async Task TypeAsync(Stream input, Func<bool> closed, CancellationToken cancellationToken)
    {
        using var stopChaff = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chaff = _obfuscate ? ChaffAsync(input, stopChaff.Token) : Task.CompletedTask;
        try
        {
            // Wait for the prompt before the first key.
            await WaitForQuietAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            foreach (var step in _plan)
            {
                await Task.Delay(step.Delay, cancellationToken).ConfigureAwait(false);
                if (closed())
                {
                    break;
                }

                Write(input, step.Keys);
                ExtendChaff(step.IsEnter ? TimeSpan.FromMilliseconds(_chaffRandom.Next(1_000, 3_000)) : TimeSpan.FromSeconds(1));
                if (step.IsEnter)
                {
                    await Task.Delay(150, cancellationToken).ConfigureAwait(false);
                    await WaitForQuietAsync(Quiet, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await stopChaff.CancelAsync().ConfigureAwait(false);
            await chaff.ConfigureAwait(false);
        }
    }

    private void Write(Stream input, string keys)
    {
        var bytes = Encoding.UTF8.GetBytes(keys);
        lock (_writeLock)
        {
            try
            {
                input.Write(bytes);
                input.Flush();
            }
            catch (IOException)
            {
                // The client has gone; the caller sees it exit.
            }
        }
    }

    private void ExtendChaff(TimeSpan span)
    {
        var until = Environment.TickCount64 + (long)span.TotalMilliseconds;
        Interlocked.Exchange(ref _chaffUntilTicks, Math.Max(Interlocked.Read(ref _chaffUntilTicks), until));
    }

    private async Task ChaffAsync(Stream input, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // 20 ms ± 10 %, like OpenSSH's ObscureKeystrokeTiming default interval.
                await Task.Delay(TimeSpan.FromMilliseconds(18 + (_chaffRandom.NextDouble() * 4)), cancellationToken).ConfigureAwait(false);
                if (Environment.TickCount64 < Interlocked.Read(ref _chaffUntilTicks))
                {
                    Write(input, "\0");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DrainAsync(Stream output)
    {
        var buffer = new byte[8192];
        int n;
        try
        {
            while ((n = await output.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                OutputBytes += n;
                Interlocked.Exchange(ref _lastOutputTicks, Environment.TickCount64);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The client or its channel is gone.
        }
    }

    private async Task WaitForQuietAsync(TimeSpan quiet, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)MaxOutputWait.TotalMilliseconds;
        while (Environment.TickCount64 - Interlocked.Read(ref _lastOutputTicks) < quiet.TotalMilliseconds && Environment.TickCount64 < deadline)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
