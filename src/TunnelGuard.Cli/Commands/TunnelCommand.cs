using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TunnelGuard.Lab.Logging;
using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard tunnel`: an SSH client that only forwards ports (-L, -R, -D), with OpenSSH-like options.</summary>
internal static class TunnelCommand
{
    private const string Name = "tunnelguard tunnel";

    private static TimeSpan ShutdownGrace => TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var destination = new Argument<string>("destination") { Description = "[user@]host[:port] of the SSH server" };
        var port = new Option<int?>("-p", "--port") { Description = "SSH server port (overrides the destination's)", HelpName = "PORT" };
        var login = new Option<string?>("-l", "--login-name") { Description = "User name on the server (overrides user@)", HelpName = "USER" };
        var local = Multi("-L", "[bind_address:]port:host:hostport  listen here, connect from the server");
        var remote = Multi("-R", "[bind_address:]port:host:hostport  listen on the server, connect from here");
        var dynamic = Multi("-D", "[bind_address:]port  SOCKS4/SOCKS5 proxy here, connections made by the server");
        var identity = new Option<string?>("-i", "--identity-file") { Description = "Private key file for public key authentication", HelpName = "KEYFILE" };
        var passphraseEnv = new Option<string?>("--passphrase-env") { Description = "Name of an environment variable holding the passphrase of an encrypted -i key file", HelpName = "VAR" };
        var passwordEnv = new Option<string?>("--password-env") { Description = "Name of an environment variable holding the password (password or keyboard-interactive authentication)", HelpName = "VAR" };
        var knownHosts = new Option<string?>("--known-hosts") { Description = "OpenSSH known_hosts file that must list the server's key", HelpName = "FILE" };
        var fingerprints = new Option<string[]>("--host-key-sha256")
        {
            Description = "Expected host key fingerprint, SHA256:... as ssh-keygen -lf prints it (repeatable)",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "SHA256:...",
        };
        var insecure = new Option<bool>("--insecure-trust-any-host-key") { Description = "Accept any host key (labs only: allows a man in the middle)" };
        var keepalive = new Option<int>("--keepalive")
        {
            Description = "Seconds between keepalive messages, 0 for none",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => (int)SshTunnelOptions.DefaultKeepAlive.TotalSeconds,
        };
        var verbose = new Option<bool>("-v", "--verbose") { Description = "Log connection progress and every channel the forwards open (default: warnings only)" };

        var command = new Command("tunnel", "Open SSH port forwards (-L, -R, -D) and keep them up until Ctrl+C or SIGTERM.")
        {
            destination, port, login, local, remote, dynamic, identity, passphraseEnv, passwordEnv, knownHosts, fingerprints, insecure, keepalive, verbose,
        };

        command.SetAction(parseResult =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            SshTunnelOptions options;
            try
            {
                var policy = HostKeyPolicyFrom(parseResult.GetValue(knownHosts), parseResult.GetValue(fingerprints) ?? [], parseResult.GetValue(insecure));
                var forwards = new List<ForwardSpec>();
                AddSpecs(forwards, ForwardKind.Local, parseResult.GetValue(local));
                AddSpecs(forwards, ForwardKind.Remote, parseResult.GetValue(remote));
                AddSpecs(forwards, ForwardKind.Dynamic, parseResult.GetValue(dynamic));
                if (forwards.Count == 0)
                {
                    throw new TunnelUsageException("nothing to forward: give at least one -L, -R or -D");
                }

                var portValue = parseResult.GetValue(port);
                if (portValue is < 1 or > 65535)
                {
                    throw new TunnelUsageException($"port {portValue} is out of range (1-65535)");
                }

                var seconds = parseResult.GetValue(keepalive);
                if (seconds < 0)
                {
                    throw new TunnelUsageException($"--keepalive {seconds}: must be 0 (off) or a number of seconds");
                }

                var target = SshDestination.Parse(parseResult.GetRequiredValue(destination)).With(parseResult.GetValue(login), portValue);
                options = new SshTunnelOptions
                {
                    Destination = target.User is null ? target with { User = Environment.UserName } : target,
                    Forwards = forwards,
                    HostKeyPolicy = policy,
                    KeyFile = parseResult.GetValue(identity),
                    KeyPassphrase = SecretFrom("--passphrase-env", parseResult.GetValue(passphraseEnv)),
                    Password = SecretFrom("--password-env", parseResult.GetValue(passwordEnv)),
                    KeepAlive = TimeSpan.FromSeconds(seconds),
                };
                if (policy.IsInsecure)
                {
                    stderr.WriteLine($"{Name}: WARNING: --insecure-trust-any-host-key: the server's host key is NOT verified; anyone on the path can impersonate the server and read the tunnelled traffic.");
                }

                return Run(options, parseResult.GetValue(verbose), stdout, stderr);
            }
            catch (TunnelUsageException ex)
            {
                stderr.WriteLine($"{Name}: {ex.Message}");
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    private static int Run(SshTunnelOptions options, bool verbose, TextWriter stdout, TextWriter stderr)
    {
        using var logs = new TextWriterLoggerProvider(stderr, verbose ? LogLevel.Debug : LogLevel.Warning);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

        // Not `using`: disposing waits for SSH.NET's channels, which a stuck server can hold forever (see below).
        var client = new SshTunnelClient(options, logs.CreateLogger(typeof(SshTunnelClient).FullName!));
        IReadOnlyList<ActiveForward> forwards;
        try
        {
            forwards = client.Start();
        }
        catch (TunnelConnectException ex)
        {
            stderr.WriteLine($"{Name}: {ex.Message}");
            client.Dispose();
            return ExitCodes.Failure;
        }

        foreach (var forward in forwards)
        {
            stdout.WriteLine($"forwarding {forward}");
        }

        stdout.WriteLine($"tunnel to {options.Destination} is up; Ctrl+C or SIGTERM stops it");
        stdout.Flush();

        var lost = ((IAsyncResult)client.ConnectionLost).AsyncWaitHandle;
        var which = WaitHandle.WaitAny([stop.Token.WaitHandle, lost]);
        var exitCode = ExitCodes.Success;
        if (which == 1 && !stop.IsCancellationRequested)
        {
            stderr.WriteLine($"{Name}: connection to {options.Destination} lost: {client.ConnectionLost.Result.Message}");
            exitCode = ExitCodes.Failure;
        }

        // SSH.NET waits for open channels when a forward stops; a signal must still end the process promptly.
        if (Task.Run(client.Dispose).Wait(ShutdownGrace))
        {
            stdout.WriteLine("tunnel closed");
        }
        else
        {
            stderr.WriteLine($"{Name}: forwards did not close within {ShutdownGrace.TotalSeconds:0} s; exiting anyway");
        }

        return exitCode;

        void Cancel(PosixSignalContext context)
        {
            // Keep the process alive so Run can stop the forwards and say goodbye to the server.
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static Option<string[]> Multi(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
        HelpName = "SPEC",
    };

    private static void AddSpecs(List<ForwardSpec> forwards, ForwardKind kind, string[]? specs)
    {
        foreach (var spec in specs ?? [])
        {
            forwards.Add(ForwardSpec.Parse(kind, spec));
        }
    }

    private static HostKeyPolicy HostKeyPolicyFrom(string? knownHosts, string[] fingerprints, bool insecure)
    {
        var given = (knownHosts is null ? 0 : 1) + (fingerprints.Length == 0 ? 0 : 1) + (insecure ? 1 : 0);
        if (given == 0)
        {
            throw new TunnelUsageException("refusing to connect without host key verification: give --known-hosts FILE or --host-key-sha256 SHA256:... (or, in a lab only, --insecure-trust-any-host-key)");
        }

        if (given > 1)
        {
            throw new TunnelUsageException("give only one of --known-hosts, --host-key-sha256 and --insecure-trust-any-host-key");
        }

        if (insecure)
        {
            return HostKeyPolicy.TrustAny();
        }

        if (knownHosts is null)
        {
            return HostKeyPolicy.FromFingerprints(fingerprints);
        }

        try
        {
            return HostKeyPolicy.FromKnownHosts(KnownHostsFile.Load(knownHosts));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TunnelUsageException($"cannot read known_hosts file '{knownHosts}': {ex.Message}", ex);
        }
    }

    // Secrets come from the environment, never from the command line, where every user can read them in /proc.
    private static string? SecretFrom(string option, string? variable)
    {
        if (variable is null)
        {
            return null;
        }

        var secret = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(secret)
            ? throw new TunnelUsageException($"{option} {variable}: the environment variable is not set or empty")
            : secret;
    }
}
