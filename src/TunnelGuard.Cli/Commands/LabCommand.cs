using System.CommandLine;
using System.Net;
using TunnelGuard.Cli.Lab;
using TunnelGuard.Lab.Drivers;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.Cli.Commands;

/// <summary>`tunnelguard lab`: network namespaces with a real sshd, scenarios of SSH use, and a recorder of labelled captures.</summary>
internal static class LabCommand
{
    private const string Name = "tunnelguard lab";

    public static Command Create()
    {
        var command = new Command("lab", "SSH lab in network namespaces (root, Linux): hosts, scenarios, labelled capture recording.");
        command.Subcommands.Add(Up());
        command.Subcommands.Add(Down());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Scenarios());
        command.Subcommands.Add(Run());
        command.Subcommands.Add(Record());
        command.Subcommands.Add(Serve());
        command.Subcommands.Add(LabDriveCommand.Create());
        return command;
    }

    private static Command Up()
    {
        var offloads = OffloadsOption();
        var command = new Command("up", "Create the lab: client, SSH server, jump host and inner service host, with sshd and services running.") { offloads };
        command.SetAction(parse => AsRoot(parse, async (output, token) =>
        {
            await LabHosts.UpAsync(parse.GetValue(offloads) == "on", output, token).ConfigureAwait(false);
            output.WriteLine("lab: up; `tunnelguard lab down` removes it");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Down()
    {
        var command = new Command("down", "Remove the lab, also one left over from a crash: processes by PID, namespaces, state.");
        command.SetAction(parse => AsRoot(parse, (output, _) =>
        {
            LabHosts.Down(output);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Show whether the lab is up, its namespaces and processes.");
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(LabHosts.Status());
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Scenarios()
    {
        var command = new Command("scenarios", "List the scenarios with their client and labels.");
        command.SetAction(parse =>
        {
            foreach (var scenario in ScenarioCatalog.All)
            {
                var labels = string.Join(" | ", scenario.Connections.Select(c => string.Join(',', c.Labels)));
                parse.InvocationConfiguration.Output.WriteLine($"{scenario.Name,-24} {scenario.ClientTag,-9} {labels,-34} {scenario.Description}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Run()
    {
        var scenario = new Argument<string>("scenario") { Description = "Scenario name (see `lab scenarios`)" };
        var seed = SeedOption();
        var cipher = CipherOption();
        var output = new Option<string?>("--out") { Description = "Also capture into this folder and update its manifest.json", HelpName = "DIR" };
        var offloads = OffloadsOption();
        var command = new Command("run", "Run one scenario in the lab (brought up and down around it if it is not up).") { scenario, seed, cipher, output, offloads };
        command.SetAction(parse => AsRoot(parse, (writer, token) => RecordAsync(
            writer,
            parse.GetValue(scenario)!,
            parse.GetValue(seed),
            1,
            parse.GetValue(output),
            parse.GetValue(cipher),
            1,
            parse.GetValue(offloads) == "on",
            token)));
        return command;
    }

    private static Command Record()
    {
        var scenarios = new Option<string>("--scenarios") { Description = "Comma-separated scenario names, or all", Required = true };
        var seed = SeedOption();
        var repeat = new Option<int>("--repeat") { Description = "Record each scenario K times, with seeds N, N+1, ...", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Folder for the captures and manifest.json", Required = true, HelpName = "DIR" };
        var manifest = new Option<string?>("--manifest") { Description = "Manifest to create or update (default OUT/manifest.json); file names are relative to its folder", HelpName = "FILE" };
        var cipher = CipherOption();
        var scale = new Option<double>("--scale") { Description = "Multiply transfer sizes and counts (1 = small)", DefaultValueFactory = _ => 1 };
        var offloads = OffloadsOption();
        var command = new Command("record", "Capture scenarios on the lab's switch into labelled pcaps and a manifest.json.") { scenarios, seed, repeat, output, manifest, cipher, scale, offloads };
        command.SetAction(parse => AsRoot(parse, (writer, token) => RecordAsync(
            writer,
            parse.GetValue(scenarios)!,
            parse.GetValue(seed),
            parse.GetValue(repeat),
            parse.GetValue(output),
            parse.GetValue(cipher),
            parse.GetValue(scale),
            parse.GetValue(offloads) == "on",
            token,
            parse.GetValue(manifest))));
        return command;
    }

    private static Command Serve()
    {
        var bind = new Option<string>("--bind") { Description = "Address to listen on", Required = true };
        var httpPort = new Option<int>("--http-port") { Description = "Port of the HTTP service", DefaultValueFactory = _ => LabTopology.HttpPort };
        var command = new Command("serve", "Run the inner services (HTTP 80, echo 7, chat 2323, bulk 9000) until stopped.") { Hidden = true, Options = { bind, httpPort } };
        command.SetAction(parse =>
        {
            using var signals = new SignalScope();
            var host = new ServiceHost(IPAddress.Parse(parse.GetValue(bind)!), parse.GetValue(httpPort));
            try
            {
                host.RunAsync(signals.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> RecordAsync(TextWriter writer, string scenarios, int seed, int repeat, string? output, string? cipher, double scale, bool offloads, CancellationToken token, string? manifest = null)
    {
        CipherChoice? choice = null;
        if (cipher is not null)
        {
            choice = CipherChoice.Parse(cipher) ?? throw new LabException($"unknown cipher '{cipher}': chacha20, aes128gcm, aes128ctr-etm, aes128ctr-hmac or default");
        }

        var options = new RecordOptions
        {
            Scenarios = ScenarioCatalog.Select(scenarios),
            Seed = seed,
            Repeat = Math.Max(1, repeat),
            OutputDirectory = output is null ? null : Path.GetFullPath(output),
            ManifestPath = manifest is null ? null : Path.GetFullPath(manifest),
            Cipher = choice,
            Scale = scale,
            Offloads = offloads,
        };
        var result = await new ScenarioRecorder(writer).RecordAsync(options, token).ConfigureAwait(false);
        writer.WriteLine($"{result.Captures.Count} capture(s) written{(output is null ? string.Empty : " to " + output)}, {result.Failures.Count} scenario(s) failed");
        return result.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static Option<int> SeedOption() => new("--seed") { Description = "Seed: the same seed gives the same sizes, counts and typing", DefaultValueFactory = _ => 1 };

    private static Option<string?> CipherOption() => new("--cipher") { Description = "chacha20, aes128gcm, aes128ctr-etm, aes128ctr-hmac or default (default: rotate by scenario and seed)" };

    private static Option<string> OffloadsOption()
    {
        var option = new Option<string>("--offloads") { Description = "off: wire-sized frames (default); on: keep GRO/TSO super-segments", DefaultValueFactory = _ => "off" };
        option.AcceptOnlyFromAmong("on", "off");
        return option;
    }

    private static int AsRoot(ParseResult parse, Func<TextWriter, CancellationToken, Task<int>> run)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            error.WriteLine($"{Name}: needs root on Linux (network namespaces)");
            return ExitCodes.Failure;
        }

        using var signals = new SignalScope();
        try
        {
            return run(output, signals.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"{Name}: interrupted; lab processes stopped");
            return ExitCodes.Failure;
        }
        catch (LabException ex)
        {
            error.WriteLine($"{Name}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
