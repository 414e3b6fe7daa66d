using System.ComponentModel;
using System.Diagnostics;

namespace TunnelGuard.Enforcement;

/// <summary>
/// Runs a firewall command with arguments as a list (no shell, so nothing is ever interpreted) and optional standard
/// input; an optional prefix runs it elsewhere, e.g. <c>ip netns exec NS</c>.
/// </summary>
public sealed class CommandRunner
{
    private readonly IReadOnlyList<string> _prefix;

    public CommandRunner(IReadOnlyList<string>? prefix = null) => _prefix = prefix ?? [];

    public async Task<string> RunAsync(string file, IReadOnlyList<string> args, string? input, CancellationToken cancellation)
    {
        var all = _prefix.Concat([file]).Concat(args).ToList();
        var info = new ProcessStartInfo(all[0])
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in all.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new FirewallException($"{file}: could not start");
        }
        catch (Win32Exception ex)
        {
            throw new FirewallException($"{file}: not installed or not executable ({ex.Message})", ex);
        }

        using (process)
        {
            if (input is not null)
            {
                try
                {
                    await process.StandardInput.WriteAsync(input.AsMemory(), cancellation).ConfigureAwait(false);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The command exited before reading its input (e.g. `ip netns exec` into a namespace that is
                    // gone): its exit code and standard error below say why.
                }
            }

            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                // One line for the log: nft follows its error with the failing statement and a ^^^ marker under it.
                var said = (await stderr.ConfigureAwait(false)).Trim().Split('\n')[0].Trim();
                var hint = said.Contains("Operation not permitted", StringComparison.Ordinal) || said.Contains("Permission denied", StringComparison.Ordinal)
                    ? " (changing the firewall needs root or CAP_NET_ADMIN)"
                    : string.Empty;
                throw new FirewallException($"{file} {string.Join(' ', args)} failed (exit {process.ExitCode}): {said}{hint}");
            }

            return await stdout.ConfigureAwait(false);
        }
    }
}
