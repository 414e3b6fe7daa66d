using System.Text;
using TunnelGuard.Reporting;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Rules;

namespace TunnelGuard.Fuzz.Targets;

/// <summary>
/// <see cref="RuleLoader.Parse(string, string)"/> over one rule file's text (the input as UTF-8), then, when the policy
/// is valid, <see cref="RuleEngine.Evaluate"/> of a few connections against it, among them one whose banner is the
/// longest a peer may send. The parser's one way to refuse a file is a list of errors: any exception that escapes the
/// parser or the engine is a finding, and so is a stack overflow (it kills the harness, which AFL++ reports as a crash).
/// </summary>
internal sealed class RulesTarget : IFuzzTarget
{
    public const string FileName = "fuzz.yaml";

    // Reports at 10:00, 23:00 and 12:00 UTC on a Monday and 06:00 on the Tuesday: inside and outside typical time windows.
    private const long Hour = 3_600_000_000L;

    private static readonly ConnectionReport[] Reports =
    [
        TestReports.Ssh(),
        TestReports.Ssh("interactive", "2001:db8::1", "2001:db8::2", 51000, 2222, software: "PuTTY_Release_0.81", comments: null, firstSeenMicros: TestReports.MondayTenUtc + (13 * Hour)),
        TestReports.Ssh("forward-dynamic", "198.19.255.254", "198.18.0.1", 1, 65535, software: new string('a', 200) + "*?[]{}", comments: new string('b', 40), firstSeenMicros: TestReports.MondayTenUtc + (2 * Hour)),
        TestReports.Ssh("not-ssh", "198.18.0.9", "198.18.0.10", 1234, 80, firstSeenMicros: TestReports.MondayTenUtc + (20 * Hour)),
    ];

    public string Name => "rules";

    public void Run(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        var result = RuleLoader.Parse(FileName, text);
        var lines = 1 + text.Count('\n') + text.Count('\r');
        InvariantViolation.Check(result.IsValid == (result.Errors.Count == 0), $"valid={result.IsValid} with {result.Errors.Count} errors");
        foreach (var problem in result.Errors.Concat(result.Warnings))
        {
            var p = problem.Position;
            InvariantViolation.Check(p.File == FileName, $"a problem names file '{p.File}'");
            InvariantViolation.Check(p.Line >= 1 && p.Line <= lines + 1 && p.Column >= 1, $"a problem at {p} outside the {lines}-line text: {problem.Message}");
            InvariantViolation.Check(problem.Message.Length > 0, $"an empty message at {p}");
            var control = problem.Message.Where(char.IsControl).Select(c => (int?)c).FirstOrDefault();
            InvariantViolation.Check(control is null, $"a control character (U+{control:X4}) in the message at {p}: the file's text would reach the log unescaped");
        }

        if (result.RuleSet is not { } rules)
        {
            return;
        }

        var engine = new RuleEngine(rules);
        foreach (var report in Reports)
        {
            var evaluation = engine.Evaluate(report);
            foreach (var hit in evaluation.Hits)
            {
                InvariantViolation.Check(rules.Rules.Contains(hit.Rule), $"a hit for rule '{hit.Rule.Id}', which is not in the policy");
                InvariantViolation.Check(!hit.Rule.Allow, $"allow rule '{hit.Rule.Id}' reported as a firing rule");
            }

            InvariantViolation.Check(evaluation.AllowedBy is null || evaluation.AllowedBy.Rule.Allow, "evaluation stopped by a rule that does not allow");
        }
    }
}
