using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace TunnelGuard.Lab.Tunnels;

/// <summary>Connection set-up: authentication methods, host key algorithms, and one-line failure messages.</summary>
public sealed partial class SshTunnelClient
{
    private static ConnectionInfo BuildConnectionInfo(SshTunnelOptions options)
    {
        var destination = options.Destination;
        var user = destination.User!;
        var methods = new List<AuthenticationMethod>(3);
        if (options.KeyFile is not null)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(user, PrivateKeyLoader.Load(options.KeyFile, options.KeyPassphrase)));
        }

        if (options.Password is { } password)
        {
            methods.Add(new PasswordAuthenticationMethod(user, password));
            methods.Add(PasswordPrompts(user, password));
        }

        var info = new ConnectionInfo(destination.Host, destination.Port, user, [.. methods])
        {
            Timeout = options.ConnectTimeout,
        };
        RestrictHostKeyAlgorithms(info, options.HostKeyPolicy.KnownKeyTypes(destination.Host, destination.Port));
        return info;
    }

    // Servers that check passwords through PAM (Debian's default sshd with UsePAM yes and PasswordAuthentication no)
    // offer only keyboard-interactive: the password is the answer to its hidden prompts. A visible prompt would ask
    // for something else (an OTP user name, a menu choice), which a password cannot answer.
    private static KeyboardInteractiveAuthenticationMethod PasswordPrompts(string user, string password)
    {
        var method = new KeyboardInteractiveAuthenticationMethod(user);
        method.AuthenticationPrompt += (_, e) =>
        {
            foreach (var prompt in e.Prompts)
            {
                prompt.Response = prompt.IsEchoed ? string.Empty : password;
            }
        };
        return method;
    }

    // Like OpenSSH, ask only for host key types that known_hosts can vouch for, so a server that also has
    // a key of another type does not look like a mismatch.
    private static void RestrictHostKeyAlgorithms(ConnectionInfo info, IReadOnlySet<string>? knownKeyTypes)
    {
        if (knownKeyTypes is null)
        {
            return;
        }

        var remove = new List<string>();
        foreach (var algorithm in info.HostKeyAlgorithms.Keys)
        {
            if (!knownKeyTypes.Contains(KeyTypeOfAlgorithm(algorithm)))
            {
                remove.Add(algorithm);
            }
        }

        if (remove.Count < info.HostKeyAlgorithms.Count)
        {
            foreach (var algorithm in remove)
            {
                info.HostKeyAlgorithms.Remove(algorithm);
            }
        }
    }

    // RFC 8332: rsa-sha2-256 and rsa-sha2-512 sign with an ssh-rsa key.
    private static string KeyTypeOfAlgorithm(string algorithm) => algorithm switch
    {
        "rsa-sha2-256" or "rsa-sha2-512" => "ssh-rsa",
        "rsa-sha2-256-cert-v01@openssh.com" or "rsa-sha2-512-cert-v01@openssh.com" => "ssh-rsa-cert-v01@openssh.com",
        _ => algorithm,
    };

    private void Connect()
    {
        var where = _options.Destination.ToString();
        try
        {
            _client.Connect();
        }
        catch (SshAuthenticationException ex)
        {
            throw new TunnelConnectException($"authentication failed for {where}: {ex.Message}", ex);
        }
        catch (SshConnectionException ex) when (_hostKeyVerdict is { Trusted: false } verdict)
        {
            throw new TunnelConnectException($"host key verification failed: {verdict.Reason}", ex);
        }
        catch (SshOperationTimeoutException ex)
        {
            throw new TunnelConnectException($"timed out connecting to {where}: {ex.Message}", ex);
        }
        catch (SocketException ex)
        {
            throw new TunnelConnectException($"cannot connect to {where}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is SshException or IOException or ProxyException)
        {
            throw new TunnelConnectException($"connection to {where} failed: {ex.Message}", ex);
        }
    }
}
