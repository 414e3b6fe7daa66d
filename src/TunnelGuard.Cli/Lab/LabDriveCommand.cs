using System.CommandLine;
using System.Globalization;
using TunnelGuard.Lab.Drivers;
using TunnelGuard.Lab.Tunnels;

namespace TunnelGuard.Cli.Lab;

/// <summary>`tunnelguard lab drive KIND`: one traffic driver, run by the lab inside a namespace (usable by hand too).</summary>
internal static class LabDriveCommand
{
    public static Command Create()
    {
        var command = new Command("drive", "Run one traffic driver (the lab starts these inside its namespaces).") { Hidden = true };
        command.Subcommands.Add(Type());
        command.Subcommands.Add(SshNetShell());
        command.Subcommands.Add(Bulk());
        command.Subcommands.Add(RequestResponse());
        command.Subcommands.Add(Browse());
        command.Subcommands.Add(Idle());
        return command;
    }

    private static Command Type()
    {
        var seed = SeedOption();
        var commands = new Option<int>("--commands") { Description = "Commands to type before `exit`", DefaultValueFactory = _ => 4 };
        var obfuscate = new Option<bool>("--obfuscate") { Description = "Imitate keystroke timing obfuscation: a same-size packet every 20 ms while typing" };
        var terminal = new Argument<string[]>("command") { Description = "Terminal client to type into, after --", Arity = ArgumentArity.OneOrMore };
        var command = new Command("type", "Type commands into a terminal client (ssh -tt, dbclient -t) like a person.") { seed, commands, obfuscate, terminal };
        command.SetAction(parse => Guard(parse, async token =>
        {
            var plan = TypistPlan.Create(parse.GetValue(seed), parse.GetValue(commands));
            var runner = new TypistRunner(plan, parse.GetValue(seed), parse.GetValue(obfuscate));
            var code = await runner.RunAsync(parse.GetValue(terminal)!, token).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"typed {plan.Count} steps, {runner.OutputBytes} bytes of output, exit {code}"));
            return code;
        }));
        return command;
    }

    private static Command SshNetShell()
    {
        var seed = SeedOption();
        var commands = new Option<int>("--commands") { Description = "Commands to type before `exit`", DefaultValueFactory = _ => 4 };
        var destination = new Option<string>("--to") { Description = "user@host[:port]", Required = true };
        var key = new Option<string>("--key") { Description = "Private key file", Required = true };
        var knownHosts = new Option<string>("--known-hosts") { Description = "known_hosts that must list the server", Required = true };
        var command = new Command("sshnet-shell", "Type commands into an SSH.NET shell (PTY channel) like a person.") { seed, commands, destination, key, knownHosts };
        command.SetAction(parse => Guard(parse, async token =>
        {
            var plan = TypistPlan.Create(parse.GetValue(seed), parse.GetValue(commands));
            var runner = new TypistRunner(plan, parse.GetValue(seed), obfuscate: false);
            var output = await SshNetShellDriver.RunAsync(SshDestination.Parse(parse.GetValue(destination)!), parse.GetValue(key)!, parse.GetValue(knownHosts)!, runner, token).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"typed {plan.Count} steps, {output} bytes of output"));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Bulk()
    {
        var connect = ConnectOption();
        var up = new Option<long>("--up") { Description = "Bytes to send", DefaultValueFactory = _ => 1 << 20 };
        var down = new Option<long>("--down") { Description = "Bytes to receive", DefaultValueFactory = _ => 1 << 20 };
        var command = new Command("bulk", "Bulk transfer both ways through the lab's bulk service.") { connect, up, down };
        command.SetAction(parse => Guard(parse, async token =>
        {
            var (host, port) = Split(parse.GetValue(connect)!);
            await BulkDriver.RunAsync(host, port, parse.GetValue(up), parse.GetValue(down), token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command RequestResponse()
    {
        var connect = ConnectOption();
        var seed = SeedOption();
        var requests = new Option<int>("--requests") { Description = "Number of requests", DefaultValueFactory = _ => 8 };
        var command = new Command("reqresp", "Small HTTP requests with medium replies and think times, on one connection.") { connect, seed, requests };
        command.SetAction(parse => Guard(parse, async token =>
        {
            var (host, port) = Split(parse.GetValue(connect)!);
            await RequestResponseDriver.RunAsync(host, port, parse.GetValue(requests), parse.GetValue(seed), token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Browse()
    {
        var proxy = new Option<string>("--proxy") { Description = "SOCKS proxy host:port", Required = true };
        var site = new Option<string>("--site") { Description = "Web server host", Required = true };
        var seed = SeedOption();
        var pages = new Option<int>("--pages") { Description = "Pages to load", DefaultValueFactory = _ => 3 };
        var command = new Command("browse", "Load pages with assets through a SOCKS proxy with curl.") { proxy, site, seed, pages };
        command.SetAction(parse => Guard(parse, async token =>
        {
            await BrowseDriver.RunAsync(parse.GetValue(proxy)!, parse.GetValue(site)!, parse.GetValue(pages), parse.GetValue(seed), token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Idle()
    {
        var connect = ConnectOption();
        var seconds = new Option<int>("--seconds") { Description = "How long to stay silent", DefaultValueFactory = _ => 10 };
        var command = new Command("idle", "Hold an echo connection open and silent.") { connect, seconds };
        command.SetAction(parse => Guard(parse, async token =>
        {
            var (host, port) = Split(parse.GetValue(connect)!);
            await IdleDriver.RunAsync(host, port, TimeSpan.FromSeconds(parse.GetValue(seconds)), token).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Option<int> SeedOption() => new("--seed") { Description = "Seed: the same seed gives the same traffic", DefaultValueFactory = _ => 1 };

    private static Option<string> ConnectOption() => new("--connect") { Description = "host:port to connect to", Required = true };

    private static (string Host, int Port) Split(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    private static int Guard(ParseResult parse, Func<CancellationToken, Task<int>> run)
    {
        using var signals = new SignalScope();
        try
        {
            return run(signals.Token).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException or OperationCanceledException or TimeoutException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"tunnelguard lab drive: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
