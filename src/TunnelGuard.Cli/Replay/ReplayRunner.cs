using System.Diagnostics;
using System.Globalization;
using TunnelGuard.Capture;
using TunnelGuard.Classification;
using TunnelGuard.Cli.Alerts;
using TunnelGuard.Cli.Classify;
using TunnelGuard.Corpus;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Replay;

/// <summary>
/// Runs capture files through the pipeline one after another (each file its own flow table) and writes the reports.
/// A file that cannot be read is named on standard error with what is wrong; the others are still replayed and the
/// exit code is 3.
/// </summary>
internal sealed class ReplayRunner
{
    private readonly CliConsole _console;

    public ReplayRunner(CliConsole console) => _console = console;

    public int Run(ReplayOptions options)
    {
        var files = CaptureFiles.Expand(options.Paths, out var error, out var usageError);
        if (error is not null)
        {
            _console.Error.WriteLine($"tunnelguard: {error}");
            return usageError ? ExitCodes.Usage : ExitCodes.BadInput;
        }

        IShapeClassifier classifier;
        try
        {
            classifier = ClassifierLoader.StartLoading(options.ModelFile, options.HeuristicsOnly);
        }
        catch (InvalidDataException ex)
        {
            _console.Error.WriteLine($"tunnelguard: {ex.Message}");
            return ExitCodes.BadInput;
        }

        CorpusManifest? manifest = null;
        if (options.ExpectManifest is not null)
        {
            try
            {
                manifest = CorpusManifest.Load(options.ExpectManifest);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                _console.Error.WriteLine($"tunnelguard: {(ex is InvalidDataException ? ex.Message : $"{options.ExpectManifest}: {ex.Message}")}");
                return ExitCodes.BadInput;
            }
        }

        using var alerts = ReplayAlerts.Create(_console, new AlertOutputOptions(options.RulesPath, options.AlertsDb, options.Syslog), out var alertsCode);
        if (alertsCode != ExitCodes.Success)
        {
            return alertsCode;
        }

        // Reports go to the stream as the UTF-8 they are written in (Utf8StreamWriter); alert lines and tables share
        // its buffer, so everything stays in order.
        TextWriter output;
        Utf8StreamWriter? fileOutput = null;
        if (options.OutputFile is not null)
        {
            try
            {
                fileOutput = new Utf8StreamWriter(new FileStream(options.OutputFile, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1), ownsStream: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                _console.Error.WriteLine($"tunnelguard: {options.OutputFile}: cannot write: {ex.Message}");
                return ExitCodes.BadInput;
            }

            output = fileOutput;
        }
        else
        {
            // A terminal keeps the console's writer, which shows each line as it comes.
            output = _console.OpenOutStream is { } open && !_console.OutIsTerminal ? new Utf8StreamWriter(open(), ownsStream: false) : _console.Out;
        }

        try
        {
            var table = options.Format == "table" || (options.Format is null && fileOutput is null && _console.OutIsTerminal);
            using var json = table ? null : new ConnectionJsonWriter(output);
            var tableWriter = table ? new ConnectionTableWriter(output) : null;
            IConnectionSink sink = (IConnectionSink?)json ?? tableWriter!;
            sink = alerts?.Wrap(sink, output, table) ?? sink;
            var collected = new List<ConnectionReport>();
            int code;
            try
            {
                code = ReplayAll(files, manifest is null ? sink : new TeeSink(sink, collected), options, classifier);

                // A model that failed to load fails the replay even when no connection needed it.
                _ = (classifier as DeferredClassifier)?.Loaded;
            }
            catch (InvalidDataException ex)
            {
                _console.Error.WriteLine($"tunnelguard: {ex.Message}");
                return ExitCodes.BadInput;
            }

            if (manifest is not null && code == ExitCodes.Success)
            {
                var mismatches = ManifestCheck.Compare(manifest, collected);
                foreach (var mismatch in mismatches)
                {
                    _console.Error.WriteLine($"mismatch: {TerminalText.Safe(mismatch, 400)}");
                }

                _console.Error.WriteLine($"expect: {manifest.Captures.Sum(c => c.Connections.Count)} connection(s) in {manifest.Captures.Count} capture(s) checked, {mismatches.Count} mismatch(es)");
                return mismatches.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
            }

            return code;
        }
        finally
        {
            if (fileOutput is null)
            {
                output.Flush();
            }
            else
            {
                fileOutput.Dispose();
            }
        }
    }

    private int ReplayAll(IReadOnlyList<(string Path, string Name)> files, IConnectionSink sink, ReplayOptions options, IShapeClassifier classifier)
    {
        // No report is written before the model has loaded: a model that fails to load leaves the output empty.
        var counting = new CountingSink(sink, classifier as DeferredClassifier);
        var progress = new ProgressReporter(_console.ErrorIsTerminal ? _console.Error : null);
        var clock = Stopwatch.StartNew();
        long packets = 0;
        var failed = 0;
        var table = new TableTally();
        var tableOptions = new FlowTableOptions();
        if (options.MaxFlows is { } maxFlows)
        {
            tableOptions.MaxFlows = maxFlows;
        }

        for (var i = 0; i < files.Count; i++)
        {
            var (path, name) = files[i];

            // One thread keeps today's path; more shard the flows (the output is the same, see ShardedPipeline).
            using var sharded = options.Threads > 1 ? new ShardedPipeline(options.Threads, tableOptions, counting, options.AllFlows, name, classifier) : null;
            var pipeline = sharded is null ? new PacketPipeline(tableOptions, counting, options.AllFlows, name, classifier) : null;

            // Replay writes and checks the latest features only; the history per judgement is for train and eval.
            if (pipeline is not null)
            {
                pipeline.KeepFeatureHistory = false;
            }
            else
            {
                sharded!.KeepFeatureHistory = false;
            }
            long read = 0;
            var peak = 0;
            CaptureFileReader? reader = null;
            try
            {
                reader = CaptureFileReader.Open(path);
                if (sharded is not null && !reader.IsPcapNg)
                {
                    // The batches take the packets where the reader read them; the reader stays open until Complete.
                    sharded.ReadBuffersOf(reader);
                }

                while (reader.TryRead(out var packet))
                {
                    if (pipeline is not null)
                    {
                        pipeline.Process(packet);
                        peak = Math.Max(peak, pipeline.Flows.Count);
                    }
                    else
                    {
                        sharded!.Process(packet);
                    }

                    if ((++read & 0x3FFF) == 0)
                    {
                        progress.Report(i, files.Count, name, reader.Position, reader.Length, packets + read);
                    }
                }
            }
            catch (CaptureFileException ex)
            {
                // The reports of the packets before the error come first, as with one thread.
                sharded?.Drain();
                progress.Clear();
                _console.Error.WriteLine($"tunnelguard: {ex.Message}");
                failed++;
            }
            finally
            {
                // Whatever was read before an error is still reported.
                try
                {
                    if (pipeline is not null)
                    {
                        pipeline.Complete();
                        table.Add(pipeline.Flows.FlowsCreated, pipeline.Flows.FlowsEvicted, pipeline.Flows.FlowsExpired, peak);
                    }
                    else
                    {
                        sharded!.Complete();
                        table.Add(sharded.FlowsCreated, sharded.FlowsEvicted, sharded.FlowsExpired, sharded.PeakFlows);
                    }
                }
                finally
                {
                    // Only now: the last batch may hold packets in the reader's buffer until Complete has drained it.
                    reader?.Dispose();
                }

                packets += read;
            }
        }

        progress.Clear();
        if (options.Stats)
        {
            var seconds = clock.Elapsed.TotalSeconds;
            _console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"stats: {files.Count} file(s), {packets} packets in {seconds:0.000} s = {packets / Math.Max(seconds, 1e-9):0} packets/s; flows {table.Created}, table bound {tableOptions.MaxFlows}, peak {table.Peak}, evicted {table.Evicted}, expired {table.Expired}; SSH connections {counting.Ssh}"));
        }

        if (_console.ErrorIsTerminal)
        {
            _console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"replayed {files.Count} file(s): {packets:N0} packets, {counting.Ssh} SSH connection(s) in {clock.Elapsed.TotalSeconds:0.00} s"));
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.BadInput;
    }

    /// <summary>Flow-table counters summed over the files (each file has its own table).</summary>
    private sealed class TableTally
    {
        public long Created { get; private set; }

        public long Evicted { get; private set; }

        public long Expired { get; private set; }

        public int Peak { get; private set; }

        public void Add(long created, long evicted, long expired, int peak)
        {
            Created += created;
            Evicted += evicted;
            Expired += expired;
            Peak = Math.Max(Peak, peak);
        }
    }

    private sealed class CountingSink(IConnectionSink inner, DeferredClassifier? model) : IConnectionSink
    {
        public int Ssh { get; private set; }

        public void OnConnection(ConnectionReport report)
        {
            _ = model?.Loaded;
            if (report.IsSsh)
            {
                Ssh++;
            }

            inner.OnConnection(report);
        }
    }
}
