using TunnelGuard.Reporting;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Rules;

namespace TunnelGuard.Tests.Fuzzing;

/// <summary>Inputs the rules fuzz target found (fuzz/run.sh rules); see docs/fuzzing.md.</summary>
public sealed class RulesFuzzRegressionTests
{
    public static TheoryData<string, string, int> DeepTexts => new()
    {
        // A stack overflow cannot be caught: before the depth limit each of these killed the process.
        { "flow sequences", "rules: " + new string('[', 100_000), 71 },
        { "flow mappings", "rules: " + string.Concat(Enumerable.Repeat("{a: ", 100_000)), 8 + (63 * 4) },
        { "block sequences", "rules:\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => new string(' ', i) + "-\n")), 1 },
    };

    [Theory]
    [MemberData(nameof(DeepTexts))]
    public void CollectionsNestedTooDeep_AreOneYamlErrorWithItsPosition_NotAStackOverflow(string kind, string text, int column)
    {
        var result = RuleLoader.Parse("deep.yaml", text);

        Assert.False(result.IsValid, kind);
        var error = Assert.Single(result.Errors);
        Assert.Contains($"nested more than {DepthLimitedParser.MaxDepth} levels deep", error.Message, StringComparison.Ordinal);
        if (kind != "block sequences")
        {
            Assert.Equal(new SourcePosition("deep.yaml", 1, column), error.Position);
        }
        else
        {
            // The 64th '-' opens the 64th sequence under the top mapping, on the 64th line of dashes.
            Assert.Equal(65, error.Position.Line);
        }
    }

    [Fact]
    public void NestingUpToTheLimit_IsReadAndJudgedByTheRuleParser()
    {
        // 62 nested lists under the top mapping and a list entry: 64 levels, the deepest allowed.
        var text = "lists:\n  x: " + new string('[', 62) + "a" + new string(']', 62) + "\nrules: []\n";

        var result = RuleLoader.Parse("ok.yaml", text);

        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("nested more than", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message.Contains("expected a single value in the list 'x'", StringComparison.Ordinal));
    }

    [Fact]
    public void AnchorsAndAliases_AreNotExpanded_NeitherNineToTheElevenNorASelfReference()
    {
        // "Billion laughs": each level holds nine aliases of the level below, 9^11 strings if a reader expanded them.
        var text = new System.Text.StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 11; level++)
        {
            text.Append($"l{level}: &l{level} [").AppendJoin(", ", Enumerable.Repeat($"*l{level - 1}", 9)).Append("]\n");
        }

        text.Append("lists:\n  big: *l11\n  self: &s [*s]\nrules:\n  - id: r\n    match: {client: *l11}\n    alert: {severity: high}\n");

        var result = RuleLoader.Parse("laughs.yaml", text.ToString());

        Assert.False(result.IsValid);
        Assert.InRange(result.Errors.Count, 12, 40);
        Assert.Contains(result.Errors, e => e.Message.Contains("expected a single value in the list 'big'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message.Contains("expected a single value in the list 'self'", StringComparison.Ordinal));
    }

    [Fact]
    public void GlobWithManyStars_AgainstACraftedLongBanner_AnswersInsteadOfTimingOut()
    {
        // Backtracking took longer than the 100 ms match timeout here, and its exception escaped RuleEngine.Evaluate.
        var pattern = new GlobPattern(string.Concat(Enumerable.Repeat("*a", 12)) + "*c");
        var banner = new string('a', 250);

        Assert.False(pattern.IsMatch(banner));
        Assert.True(pattern.IsMatch(banner + "c"));
    }

    [Fact]
    public void RuleWithManyStarsAgainstAHostileBanner_IsEvaluatedWithoutAnException()
    {
        var text = """
            rules:
              - id: many-stars
                match:
                  software: ["*a*a*a*a*a*a*a*a*a*a*a*a*c"]
                alert: {severity: high}
            """;
        var rules = RuleLoader.Parse("stars.yaml", text).RuleSet ?? throw new InvalidOperationException("the policy did not load");
        var engine = new RuleEngine(rules);

        var miss = engine.Evaluate(TestReports.Ssh(software: new string('a', 240), comments: null));
        var hit = engine.Evaluate(TestReports.Ssh(software: new string('a', 240) + "c", comments: null));

        Assert.Empty(miss.Hits);
        Assert.Equal("many-stars", Assert.Single(hit.Hits).Rule.Id);
    }

    [Fact]
    public void MessagesQuotingTheFile_HaveItsControlCharactersEscaped()
    {
        var text = "rules:\n  - id: \"x\\e[31mRED\\nnext\"\n    \"a\\u0000b\\u009b\": 2\n";

        var result = RuleLoader.Parse("esc.yaml", text);

        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, e => Assert.DoesNotContain(e.Message, char.IsControl));
        Assert.Contains(result.Errors, e => e.Message.Contains(@"bad rule id 'x\x1b[31mRED\x0anext'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message.Contains(@"unknown field 'a\x00b\x9b'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a\u001b[2Jb", @"a\x1b[2Jb")]
    [InlineData("line\r\nnext\0", @"line\x0d\x0anext\x00")]
    [InlineData("del\u007f c1\u0085", @"del\x7f c1\x85")]
    [InlineData("del\u007f before c0\u0010", @"del\x7f before c0\x10")]
    [InlineData("ünïcode ✓", "ünïcode ✓")]
    public void PrintableText_EscapesEveryControlCharacter_AndNothingElse(string text, string expected)
    {
        Assert.Equal(expected, PrintableText.Escape(text));
    }
}
