using Renci.SshNet;
using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.Lab.Drivers;

/// <summary>An interactive shell with SSH.NET (a PTY channel through <see cref="ShellStream"/>) typed into by the <see cref="TypistRunner"/>.</summary>
public static class SshNetShellDriver
{
    public static async Task<long> RunAsync(SshDestination destination, string keyFile, string knownHosts, TypistRunner typist, CancellationToken cancellationToken)
    {
        var policy = HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(knownHosts));
        using var key = new PrivateKeyFile(keyFile);
        using var client = new SshClient(destination.Host, destination.Port, destination.User ?? "root", key);
        string? rejected = null;
        client.HostKeyReceived += (_, e) =>
        {
            var verdict = policy.Verify(destination.Host, destination.Port, e.HostKey);
            e.CanTrust = verdict.Trusted;
            rejected = verdict.Trusted ? null : verdict.Reason;
        };
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Renci.SshNet.Common.SshConnectionException) when (rejected is not null)
        {
            throw new InvalidOperationException($"host key rejected: {rejected}");
        }

        using var shell = client.CreateShellStream("xterm", 80, 24, 800, 600, 4096);
        var closed = false;
        shell.Closed += (_, _) => closed = true;
        await typist.RunAsync(shell, () => closed || !client.IsConnected, cancellationToken).ConfigureAwait(false);
        client.Disconnect();
        return typist.OutputBytes;
    }
}
