using System.Globalization;
using TunnelGuard.Capture;
using TunnelGuard.Cli.Replay;
using TunnelGuard.Corpus;
using TunnelGuard.Flows;
using TunnelGuard.Pipeline;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;

namespace TunnelGuard.Cli.Rules;

/// <summary>
/// `tunnelguard rules test PATH PCAP...`: replays the captures and shows, per connection, which rules fire and why,
/// which allow rule stopped evaluation, and (with --verbose) why each other rule did not match.
/// </summary>
internal sealed class RulesTestRunner(CliConsole console)
{
    public int Run(string rulesPath, IReadOnlyList<string> captures, string? labelsFrom, bool verbose)
    {
        var loaded = RuleLoader.Load(rulesPath);
        if (!RulesCheckRunner.PrintErrors(console, loaded))
        {
            return ExitCodes.BadInput;
        }

        ManifestLabels? labels = null;
        if (labelsFrom is not null)
        {
            try
            {
                labels = new ManifestLabels(CorpusManifest.Load(labelsFrom));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                console.Error.WriteLine($"tunnelguard: {(ex is InvalidDataException ? ex.Message : $"{labelsFrom}: {ex.Message}")}");
                return ExitCodes.BadInput;
            }
        }

        var files = CaptureFiles.Expand(captures, out var error, out var usageError);
        if (error is not null)
        {
            console.Error.WriteLine($"tunnelguard: {error}");
            return usageError ? ExitCodes.Usage : ExitCodes.BadInput;
        }

        var rules = loaded.RuleSet!;
        var engine = new RuleEngine(rules);
        int connections = 0, hits = 0, alerts = 0, failed = 0;
        foreach (var (path, name) in files)
        {
            var reports = new List<ConnectionReport>();
            var pipeline = new PacketPipeline(new FlowTableOptions(), new TeeSink(NullSink.Instance, reports), reportAllFlows: true, name);
            try
            {
                using var reader = CaptureFileReader.Open(path);
                while (reader.TryRead(out var packet))
                {
                    pipeline.Process(packet);
                }
            }
            catch (CaptureFileException ex)
            {
                console.Error.WriteLine($"tunnelguard: {ex.Message}");
                failed++;
            }
            finally
            {
                pipeline.Complete();
            }

            foreach (var raw in reports)
            {
                var report = labels?.Apply(raw) ?? raw;
                var evaluation = engine.Evaluate(report);
                connections++;
                hits += evaluation.Hits.Count;
                alerts += evaluation.Hits.Count(h => h.RaisesAlert);
                Print(report, rules, evaluation, verbose);
            }
        }

        console.Out.WriteLine($"{connections} connection(s) in {files.Count} file(s): {hits} rule hit(s), {alerts} alert(s)");
        return failed == 0 ? ExitCodes.Success : ExitCodes.BadInput;
    }

    private void Print(ConnectionReport report, RuleSet rules, RuleEvaluation evaluation, bool verbose)
    {
        var o = console.Out;
        var verdict = report.Verdict;
        o.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{TerminalText.Safe(report.Source, 60)} {report.Client} -> {report.Server}  {RuleMatcher.Label(report)} ({verdict.Confidence:0.00})  {TerminalText.Safe(report.SshClient?.FullSoftwareVersion, 60)}"));
        foreach (var hit in evaluation.Hits)
        {
            var state = hit.Suppressed ? " (alert suppressed: same pair within " + DurationText.Format(hit.Rule.Suppress) + ")" : string.Empty;
            var block = hit.Block is { } b ? $" block {b.Target.ToString().ToLowerInvariant()} {string.Join(' ', b.Addresses)} for {DurationText.Format(b.Duration)}{(b.Repeat > 0 ? $" (repeat {b.Repeat})" : string.Empty)}" : string.Empty;
            o.WriteLine($"  fires {hit.Rule.Id} [{hit.Rule.ActionSummary}]{block}{state}  {hit.Rule.Position}");
            PrintReasons(hit.Reasons);
        }

        if (evaluation.AllowedBy is { } allowed)
        {
            o.WriteLine($"  allowed by {allowed.Rule.Id} (evaluation stops)  {allowed.Rule.Position}");
            PrintReasons(allowed.Reasons);
        }
        else if (evaluation.Hits.Count == 0)
        {
            o.WriteLine("  no rule fires");
        }

        if (verbose)
        {
            var fired = evaluation.Hits.Select(h => h.Rule).ToHashSet();
            var stoppedAt = evaluation.AllowedBy is { } a ? rules.Rules.ToList().IndexOf(a.Rule) : int.MaxValue;
            for (var i = 0; i < rules.Rules.Count; i++)
            {
                var rule = rules.Rules[i];
                if (fired.Contains(rule) || i == stoppedAt)
                {
                    continue;
                }

                var why = i > stoppedAt ? $"not evaluated: allowed by {evaluation.AllowedBy!.Rule.Id} first" : RuleMatcher.Match(rule.Match, report).Reasons[0];
                o.WriteLine($"  skips {rule.Id}: {TerminalText.Safe(why, 300)}");
            }
        }
    }

    private void PrintReasons(IReadOnlyList<string> reasons)
    {
        foreach (var reason in reasons)
        {
            console.Out.WriteLine($"      {TerminalText.Safe(reason, 300)}");
        }
    }

    private sealed class NullSink : IConnectionSink
    {
        public static readonly NullSink Instance = new();

        public void OnConnection(ConnectionReport report)
        {
        }
    }
}
