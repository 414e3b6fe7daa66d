using TunnelGuard.Rules;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Rules;

public sealed class RuleParserRobustnessTests
{
    private static readonly string[] Inserts = ["\n", " ", ":", "- ", "[", "]", "{", "}", "\"", "'", "$", "*", "&a ", "!!binary ", "#", "\t", "\u001b", "999999999999999999999", "-1", "::", "/"];

    [Fact]
    public void MutatedShippedFiles_GiveErrorsOrAPolicy_NeverAnException()
    {
        var random = new Random(5);
        var files = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "rules"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var invalid = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = File.ReadAllText(files[i % files.Count]);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length);
                text = random.Next(3) switch
                {
                    0 => text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at)),
                    1 => text.Insert(at, Inserts[random.Next(Inserts.Length)]),
                    _ => text.Remove(at, 1).Insert(at, ((char)random.Next(32, 127)).ToString()),
                };
            }

            RuleLoadResult result;
            try
            {
                result = RuleLoader.Parse("m.yaml", text);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"{ex.GetType().Name}: {ex.Message} on:\n{text}");
                throw;
            }

            Assert.True(result.IsValid || result.Errors.Count > 0);
            Assert.All(result.Errors, e => Assert.True(e.Position.Line >= 1 && e.Position.Column >= 1, e.ToString()));
            invalid += result.IsValid ? 0 : 1;
        }

        // The mutations must exercise the error paths, not only harmless comment edits.
        Assert.True(invalid > 1000, $"only {invalid} mutated files were invalid");
    }
}
