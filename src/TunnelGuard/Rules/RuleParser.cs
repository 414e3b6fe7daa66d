using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TunnelGuard.Rules;

/// <summary>
/// Turns YAML rule files into a <see cref="RuleSet"/>, keeping the position of every node so that each mistake names
/// file, line and column. Two passes: named lists from every file first (a rule may use a list from another file),
/// then the rules.
/// </summary>
internal sealed partial class RuleParser
{
    private static readonly string[] TopFields = ["version", "lists", "rules"];

    private readonly List<RuleError> _errors = [];
    private readonly Dictionary<string, NamedList> _lists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourcePosition> _ids = new(StringComparer.Ordinal);
    private readonly HashSet<(string List, ListKind Kind)> _checkedLists = [];
    private readonly HashSet<string> _usedLists = new(StringComparer.Ordinal);
    private string _file = string.Empty;

    public RuleLoadResult Parse(IReadOnlyList<RuleSource> sources)
    {
        var documents = new List<(string File, YamlMappingNode Root)>();
        foreach (var source in sources)
        {
            _file = source.Name;
            if (Read(source) is { } root)
            {
                documents.Add((source.Name, root));
                ReadLists(root);
            }
        }

        var rules = new List<Rule>();
        foreach (var (file, root) in documents)
        {
            _file = file;
            ReadRules(root, rules);
        }

        var errors = InOrder(_errors);
        var warnings = InOrder(Warnings(rules));
        return errors.Count > 0
            ? new RuleLoadResult(null, errors) { Warnings = warnings }
            : new RuleLoadResult(new RuleSet(rules, [.. sources.Select(s => s.Name)], _lists.Count), []) { Warnings = warnings };
    }

    private IEnumerable<RuleError> Warnings(List<Rule> rules)
    {
        foreach (var list in _lists.Values.Where(l => !_usedLists.Contains(l.Name)))
        {
            yield return new RuleError(list.Position, $"list '{list.Name}' is not used by any rule");
        }

        // An allow rule without conditions stops evaluation for every connection: nothing after it can fire.
        var allowAll = rules.FirstOrDefault(r => r.Allow && r.Match == RuleConditions.Any);
        if (allowAll is not null)
        {
            foreach (var rule in rules.SkipWhile(r => r != allowAll).Skip(1))
            {
                yield return new RuleError(rule.Position, $"rule '{rule.Id}' can never fire: rule '{allowAll.Id}' ({allowAll.Position}) allows every connection before it");
            }
        }
    }

    private static List<RuleError> InOrder(IEnumerable<RuleError> errors) =>
        [.. errors.OrderBy(e => e.Position.File, StringComparer.Ordinal).ThenBy(e => e.Position.Line).ThenBy(e => e.Position.Column)];

    private YamlMappingNode? Read(RuleSource source)
    {
        var stream = new YamlStream();
        var parser = new DepthLimitedParser(new Parser(new StringReader(source.Text)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            // YamlDotNet wraps some of its errors (and ours from DepthLimitedParser) in another YamlException.
            var message = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            _errors.Add(new RuleError(new SourcePosition(_file, ToInt(ex.Start.Line), ToInt(ex.Start.Column)), $"not valid YAML: {message}"));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1 throws these, without a position, for some broken texts (one that ends inside a flow
            // collection, an empty key in some places): name where the parser was.
            var mark = parser.Current?.Start;
            var position = mark is { } m ? new SourcePosition(_file, ToInt(m.Line), ToInt(m.Column)) : new SourcePosition(_file, 1, 1);
            var message = ex is InvalidOperationException
                ? "the file ends inside a '[...]' or '{...}' (expected the closing bracket)"
                : $"unexpected {parser.Current?.GetType().Name ?? "text"} here";
            _errors.Add(new RuleError(position, $"not valid YAML: {message}"));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            Error(stream.Documents[1].RootNode, "more than one YAML document (expected one per file)");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" })
        {
            return null;
        }

        if (root is not YamlMappingNode map)
        {
            Error(root, "expected a mapping with 'lists' and 'rules' at the top of the file");
            return null;
        }

        CheckFields(map, TopFields, "the top of the file");
        if (Field(map, "version") is { } version && Scalar(version, "version") is { } v && v != "1")
        {
            Error(version, $"unsupported version '{v}' (expected 1)");
        }

        return map;
    }

    private void ReadRules(YamlMappingNode root, List<Rule> rules)
    {
        if (Field(root, "rules") is not { } node)
        {
            return;
        }

        if (node is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, "expected 'rules' to be a list of rules (each item starting with '- id:')");
            return;
        }

        foreach (var item in sequence)
        {
            if (ReadRule(item) is { } rule)
            {
                rules.Add(rule);
            }
        }
    }

    private SourcePosition Pos(YamlNode node) => new(_file, ToInt(node.Start.Line), ToInt(node.Start.Column));

    private void Error(YamlNode node, string message) => _errors.Add(new RuleError(Pos(node), message));

    private static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
