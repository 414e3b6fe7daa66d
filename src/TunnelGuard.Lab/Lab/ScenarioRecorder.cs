using System.Diagnostics;
using System.Globalization;
using TunnelGuard.Corpus;

namespace TunnelGuard.Lab.Lab;

/// <summary>
/// `lab record`: runs scenarios one at a time in the lab (bringing it up, and down afterwards, if it was not up),
/// captures each on the switch, reads the connections back from the capture, and writes
/// <c>OUT/&lt;scenario&gt;-&lt;cipher&gt;-&lt;client&gt;-s&lt;seed&gt;.pcap</c> and <c>OUT/manifest.json</c>.
/// A failed scenario is reported and leaves no capture; programs it started are stopped by PID either way.
/// </summary>
public sealed class ScenarioRecorder
{
    private readonly TextWriter _log;

    public ScenarioRecorder(TextWriter log) => _log = log;

    public async Task<RecordResult> RecordAsync(RecordOptions options, CancellationToken cancellationToken)
    {
        var ownsLab = !LabHosts.IsUp;
        if (ownsLab)
        {
            await LabHosts.UpAsync(options.Offloads, _log, cancellationToken).ConfigureAwait(false);
        }

        var captures = new List<CorpusCapture>();
        var failures = new List<string>();
        try
        {
            var offloads = LabState.Load()?.Offloads ?? options.Offloads;
            if (options.OutputDirectory is { } output)
            {
                Directory.CreateDirectory(output);
            }

            for (var repeat = 0; repeat < options.Repeat; repeat++)
            {
                for (var i = 0; i < options.Scenarios.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var scenario = options.Scenarios[i];
                    var seed = options.Seed + repeat;
                    var cipher = options.Cipher ?? CipherChoice.For(scenario.Name, scenario.Client, seed);
                    var clock = Stopwatch.StartNew();
                    try
                    {
                        var capture = await RecordOneAsync(scenario, seed, cipher, options, offloads, cancellationToken).ConfigureAwait(false);
                        if (capture is not null)
                        {
                            captures.Add(capture);
                            WriteManifest(options.ManifestPath ?? Path.Combine(options.OutputDirectory!, "manifest.json"), capture);
                        }

                        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ok   {scenario.Name} seed {seed} {cipher.Tag} ({clock.Elapsed.TotalSeconds:F1} s){(capture is null ? string.Empty : " -> " + capture.File)}"));
                    }
                    catch (Exception ex) when (ex is LabException or IOException or InvalidDataException or TimeoutException)
                    {
                        failures.Add($"{scenario.Name} seed {seed}: {ex.Message}");
                        _log.WriteLine($"FAIL {scenario.Name} seed {seed} {cipher.Tag}: {ex.Message}");
                    }
                }
            }
        }
        finally
        {
            if (ownsLab)
            {
                LabHosts.Down(_log);
            }
        }

        return new RecordResult(captures, failures);
    }

    private async Task<CorpusCapture?> RecordOneAsync(Scenario scenario, int seed, CipherChoice cipher, RecordOptions options, bool offloads, CancellationToken cancellationToken)
    {
        var runDirectory = Path.Combine(LabTopology.StateDirectory, "runs", $"{scenario.Name}-s{seed}-{Guid.NewGuid():N}"[..^24]);
        Directory.CreateDirectory(runDirectory);
        try
        {
            var context = new ScenarioContext(seed, cipher, options.Scale, runDirectory);
            PacketCapture? capture = null;
            try
            {
                if (options.OutputDirectory is not null)
                {
                    capture = await PacketCapture.StartAsync(Path.Combine(runDirectory, "capture.pcap"), Path.Combine(runDirectory, "logs"), cancellationToken).ConfigureAwait(false);
                }

                await scenario.RunAsync(context, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await context.DisposeAsync().ConfigureAwait(false);
                if (capture is not null)
                {
                    await capture.DisposeAsync().ConfigureAwait(false);
                }

                StopStrays();
            }

            capture?.EnsureComplete();
            if (capture is null)
            {
                return null;
            }

            var manifestDirectory = Path.GetDirectoryName(Path.GetFullPath(options.ManifestPath ?? Path.Combine(options.OutputDirectory!, "manifest.json")))!;
            return Describe(scenario, seed, cipher, offloads, context, capture.Path, options.OutputDirectory!, manifestDirectory);
        }
        catch when (Environment.GetEnvironmentVariable("TUNNELGUARD_LAB_KEEP") is { Length: > 0 } keep)
        {
            // Debugging a failed scenario: keep its capture and logs.
            var target = Path.Combine(keep, Path.GetFileName(runDirectory));
            Directory.CreateDirectory(keep);
            Directory.Move(runDirectory, target);
            Directory.CreateDirectory(runDirectory);
            throw;
        }
        finally
        {
            Directory.Delete(runDirectory, recursive: true);
        }
    }

    private static CorpusCapture Describe(Scenario scenario, int seed, CipherChoice cipher, bool offloads, ScenarioContext context, string pcap, string output, string manifestDirectory)
    {
        var (reports, linkType) = CaptureAnalyzer.Read(pcap);
        var connections = new List<CorpusConnection>();
        var matched = new HashSet<Reporting.ConnectionReport>();
        foreach (var expected in scenario.Connections)
        {
            var found = reports.Where(r => r.IsSsh == expected.IsSsh
                && r.Client.Address.ToString() == expected.ClientAddress
                && r.Server.Address.ToString() == expected.ServerAddress
                && r.Server.Port == expected.ServerPort).ToList();
            if (found.Count == 0)
            {
                throw new LabException($"the capture holds no {(expected.IsSsh ? "SSH" : "TCP")} connection {expected.ClientAddress} -> {expected.ServerAddress}:{expected.ServerPort}");
            }

            foreach (var report in found)
            {
                matched.Add(report);
                connections.Add(new CorpusConnection
                {
                    Client = report.Client.ToString(),
                    Server = report.Server.ToString(),
                    Initiator = report.OpenedByServer ? "server" : "client",
                    Labels = expected.Labels,
                    Primary = expected.Primary,
                    Hassh = report.SshClient?.Hassh,
                    HasshServer = report.SshServer?.Hassh,
                });
            }
        }

        var unexpected = reports.Where(r => r.IsSsh && !matched.Contains(r)).Select(r => $"{r.Client} -> {r.Server}").ToList();
        if (unexpected.Count > 0)
        {
            throw new LabException($"unexpected SSH connections in the capture: {string.Join(", ", unexpected)}");
        }

        var first = reports.FirstOrDefault(r => r.IsSsh && matched.Contains(r));
        var negotiated = first?.Algorithms;
        var tag = scenario.Client == ClientKind.None ? "none" : cipher.Cipher is null ? CipherTag(negotiated?.CipherClientToServer, negotiated?.MacClientToServer) : cipher.Tag;
        var file = $"{scenario.Name}-{tag}-{scenario.ClientTag}-s{seed}.pcap";
        var target = Path.Combine(output, file);
        File.Move(pcap, target, overwrite: true);
        return new CorpusCapture
        {
            File = Path.GetRelativePath(manifestDirectory, target).Replace('\\', '/'),
            Scenario = scenario.Name,
            ClientSoftware = first?.SshClient?.FullSoftwareVersion,
            ServerSoftware = first?.SshServer?.FullSoftwareVersion,
            ClientImplementation = scenario.ClientTag,
            Cipher = negotiated?.CipherClientToServer,
            Mac = negotiated?.MacClientToServer,
            LinkType = linkType,
            Seed = seed,
            Offloads = offloads,
            Parameters = new SortedDictionary<string, string>(context.Parameters.ToDictionary(), StringComparer.Ordinal),
            Connections = connections,
        };
    }

    /// <summary>A short file-name tag for a negotiated cipher and MAC: chacha20, aes128gcm, aes128ctr-hmacsha2256 ...</summary>
    public static string CipherTag(string? cipher, string? mac)
    {
        static string Short(string name) => name.Replace("@openssh.com", string.Empty, StringComparison.Ordinal)
            .Replace("-poly1305", string.Empty, StringComparison.Ordinal)
            .Replace("-", string.Empty, StringComparison.Ordinal);

        if (cipher is null)
        {
            return "unknown";
        }

        var tag = Short(cipher);
        return mac is null or Ssh.SshAlgorithms.ImplicitMac ? tag : tag + "-" + Short(mac);
    }

    // Anything still running in a lab namespace that is not one of the lab's own daemons (an ssh whose typist was
    // killed, a session sshd waiting on a dead peer) goes now, by PID, so the next scenario starts clean. PIDs listed
    // one per line in the state directory's keep.pids (e.g. a monitor watching the lab) are spared.
    private static void StopStrays()
    {
        var daemons = (LabState.Load()?.Processes ?? []).Select(p => p.Pid).ToHashSet();
        var keep = Path.Combine(LabTopology.StateDirectory, "keep.pids");
        if (File.Exists(keep))
        {
            foreach (var line in File.ReadAllLines(keep))
            {
                if (int.TryParse(line.Trim(), CultureInfo.InvariantCulture, out var pid))
                {
                    daemons.Add(pid);
                }
            }
        }

        foreach (var ns in LabTopology.Namespaces)
        {
            foreach (var pid in LabHosts.NamespacePids(ns).Where(p => !daemons.Contains(p)))
            {
                LabProcess.Signal(pid, "KILL");
            }
        }
    }

    private static void WriteManifest(string path, CorpusCapture capture)
    {
        var manifest = File.Exists(path) ? CorpusManifest.Load(path) : new CorpusManifest();
        var captures = manifest.Captures.Where(c => c.File != capture.File).Append(capture).OrderBy(c => c.File, StringComparer.Ordinal).ToList();
        (manifest with { Captures = captures }).Save(path);
    }
}
