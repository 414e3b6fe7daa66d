using System.Runtime.InteropServices;
using TunnelGuard.Capture;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Monitor;

/// <summary>
/// Watches live interfaces and reports each SSH connection when it ends. Ctrl+C, SIGTERM or the end of --duration
/// stop the capture; what was queued is analysed and every open connection is reported before the process exits.
/// </summary>
internal sealed class MonitorRunner
{
    private readonly CliConsole _console;

    public MonitorRunner(CliConsole console) => _console = console;

    public int Run(MonitorOptions options)
    {
        using var stop = new CancellationTokenSource();
        if (options.DurationSeconds is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

        StreamWriter? file = null;
        try
        {
            file = options.OutputFile is null ? null : new StreamWriter(options.OutputFile, append: true, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            _console.Error.WriteLine($"tunnelguard: {options.OutputFile}: cannot write: {ex.Message}");
            return ExitCodes.BadInput;
        }

        var output = (TextWriter?)file ?? _console.Out;
        var table = options.Format == "table" || (options.Format is null && file is null && _console.OutIsTerminal);
        using var json = table ? null : new ConnectionJsonWriter(output);
        IConnectionSink sink = (IConnectionSink?)json ?? new ConnectionTableWriter(output);
        var pipeline = new PacketPipeline(new FlowTableOptions(), new FlushingSink(sink, output), options.AllFlows, string.Join(",", options.Interfaces));
        LiveCapture capture;
        try
        {
            capture = LiveCapture.Start(new LiveCaptureOptions { Interfaces = options.Interfaces, Filter = options.Filter });
        }
        catch (LiveCaptureException ex)
        {
            _console.Error.WriteLine($"tunnelguard: {ex.Message}");
            file?.Dispose();
            return ExitCodes.BadInput;
        }

        using (capture)
        {
            _console.Error.WriteLine($"tunnelguard: listening on {string.Join(", ", options.Interfaces)} (filter '{options.Filter}')");
            LivePipelineRunner.RunAsync(capture, pipeline, TimeProvider.System, stop.Token).GetAwaiter().GetResult();
            var stats = capture.Statistics();
            _console.Error.WriteLine(
                $"tunnelguard: stopped: {pipeline.Counters.Packets} packets analysed, {stats.Received} received by libpcap, " +
                $"{stats.KernelDropped} dropped by the kernel, {stats.QueueDropped} dropped by a full queue");
        }

        file?.Dispose();
        return ExitCodes.Success;

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>Flushes after every report, so a live consumer sees each connection as it ends.</summary>
    private sealed class FlushingSink(IConnectionSink inner, TextWriter output) : IConnectionSink
    {
        public void OnConnection(ConnectionReport report)
        {
            inner.OnConnection(report);
            output.Flush();
        }
    }
}
