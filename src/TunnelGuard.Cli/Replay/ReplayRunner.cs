using System.Diagnostics;
using System.Globalization;
using TunnelGuard.Capture;
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
        var files = CaptureFiles.Expand(options.Paths, out var error);
        if (error is not null)
        {
            _console.Error.WriteLine($"tunnelguard: {error}");
            return ExitCodes.BadInput;
        }

        TextWriter output;
        StreamWriter? fileOutput = null;
        if (options.OutputFile is not null)
        {
            try
            {
                fileOutput = new StreamWriter(options.OutputFile, append: false, new System.Text.UTF8Encoding(false));
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
            output = _console.Out;
        }

        try
        {
            var table = options.Format == "table" || (options.Format is null && fileOutput is null && _console.OutIsTerminal);
            using var json = table ? null : new ConnectionJsonWriter(output);
            var tableWriter = table ? new ConnectionTableWriter(output) : null;
            IConnectionSink sink = (IConnectionSink?)json ?? tableWriter!;
            return ReplayAll(files, sink, options.AllFlows);
        }
        finally
        {
            fileOutput?.Dispose();
            output.Flush();
        }
    }

    private int ReplayAll(IReadOnlyList<(string Path, string Name)> files, IConnectionSink sink, bool allFlows)
    {
        var counting = new CountingSink(sink);
        var progress = new ProgressReporter(_console.ErrorIsTerminal ? _console.Error : null);
        var clock = Stopwatch.StartNew();
        long packets = 0;
        var failed = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var (path, name) = files[i];
            var pipeline = new PacketPipeline(new FlowTableOptions(), counting, allFlows, name);
            try
            {
                using var reader = CaptureFileReader.Open(path);
                while (reader.TryRead(out var packet))
                {
                    pipeline.Process(packet);
                    if ((pipeline.Counters.Packets & 0x3FFF) == 0)
                    {
                        progress.Report(i, files.Count, name, reader.Position, reader.Length, packets + pipeline.Counters.Packets);
                    }
                }
            }
            catch (CaptureFileException ex)
            {
                progress.Clear();
                _console.Error.WriteLine($"tunnelguard: {ex.Message}");
                failed++;
            }
            finally
            {
                // Whatever was read before an error is still reported.
                pipeline.Complete();
                packets += pipeline.Counters.Packets;
            }
        }

        progress.Clear();
        if (_console.ErrorIsTerminal)
        {
            _console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"replayed {files.Count} file(s): {packets:N0} packets, {counting.Ssh} SSH connection(s) in {clock.Elapsed.TotalSeconds:0.00} s"));
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.BadInput;
    }

    private sealed class CountingSink(IConnectionSink inner) : IConnectionSink
    {
        public int Ssh { get; private set; }

        public void OnConnection(ConnectionReport report)
        {
            if (report.IsSsh)
            {
                Ssh++;
            }

            inner.OnConnection(report);
        }
    }
}
