using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace TunnelGuard.Rules;

/// <summary>Named lists: read from every file first, checked against what they hold when a rule uses them.</summary>
internal sealed partial class RuleParser
{
    private const string NameExpected = "letters, digits, '.', '_' or '-', starting with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex HasshPattern();

    private void ReadLists(YamlMappingNode root)
    {
        if (Field(root, "lists") is not { } node || node is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (node is not YamlMappingNode map)
        {
            Error(node, "expected 'lists' to be a mapping of list names to lists of values");
            return;
        }

        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || !NamePattern().IsMatch(name))
            {
                Error(key, $"bad list name (expected {NameExpected})");
                continue;
            }

            if (_lists.TryGetValue(name, out var existing))
            {
                Error(key, $"duplicate list name '{name}' (already defined in {existing.File})");
                continue;
            }

            if (Scalars(value, name) is { } items)
            {
                foreach (var item in items.Where(i => i.Value?.StartsWith('$') == true))
                {
                    Error(item, $"list '{name}' names another list ('{item.Value}'); expected plain values");
                }

                _lists[name] = new NamedList(name, _file, Pos(key), items);
            }
        }
    }

    /// <summary>Values of a condition with each <c>$name</c> replaced by that list's items; null after an error.</summary>
    private List<(YamlScalarNode Node, bool FromList)>? Expand(YamlNode node, string field, ListKind kind, List<string> names)
    {
        if (Scalars(node, field) is not { } items)
        {
            return null;
        }

        var expanded = new List<(YamlScalarNode, bool)>();
        foreach (var item in items)
        {
            var text = item.Value ?? string.Empty;
            if (!text.StartsWith('$'))
            {
                expanded.Add((item, false));
                continue;
            }

            var name = text[1..];
            if (!_lists.TryGetValue(name, out var list))
            {
                var known = _lists.Keys.Order(StringComparer.Ordinal).ToList();
                Error(item, $"unknown list '{name}' (expected one of the names under 'lists:'{(known.Count == 0 ? ", and none is defined" : $": {string.Join(", ", known)}")})");
                continue;
            }

            names.Add(name);
            _usedLists.Add(name);
            if (!_checkedLists.Add((name, kind)))
            {
                // Checked before for this kind: its errors are already reported once, at the list's items.
                expanded.AddRange(list.Items.Select(i => (i, true)));
                continue;
            }

            var file = _file;
            _file = list.File;
            foreach (var listItem in list.Items)
            {
                CheckItem(listItem, kind, $"list '{name}' (used as {field})");
            }

            _file = file;
            expanded.AddRange(list.Items.Select(i => (i, true)));
        }

        return expanded;
    }

    private AddressCondition? Addresses(YamlNode node, string field)
    {
        var names = new List<string>();
        if (Expand(node, field, ListKind.Addresses, names) is not { } items)
        {
            return null;
        }

        var networks = new List<IpCidr>();
        foreach (var (item, fromList) in items)
        {
            if (IpCidr.TryParse(item.Value ?? string.Empty, out _, out var cidr))
            {
                networks.Add(cidr);
            }
            else if (!fromList)
            {
                // Items of a named list were checked (and reported once) where the list is defined.
                CheckItem(item, ListKind.Addresses, field);
            }
        }

        return new AddressCondition(networks, names);
    }

    private TextListCondition? Texts(YamlNode node, string field, ListKind kind)
    {
        var names = new List<string>();
        if (Expand(node, field, kind, names) is not { } items)
        {
            return null;
        }

        var patterns = new List<GlobPattern>();
        foreach (var (item, fromList) in items)
        {
            if (fromList ? IsValidItem(item, kind) : CheckItem(item, kind, field))
            {
                var text = item.Value ?? string.Empty;
                patterns.Add(new GlobPattern(kind == ListKind.Hassh ? text.ToLowerInvariant() : text));
            }
        }

        return new TextListCondition(patterns, names);
    }

    private static bool IsValidItem(YamlScalarNode item, ListKind kind) => kind switch
    {
        ListKind.Addresses => IpCidr.TryParse(item.Value ?? string.Empty, out _, out _),
        ListKind.Hassh => HasshPattern().IsMatch(item.Value ?? string.Empty),
        _ => !string.IsNullOrEmpty(item.Value),
    };

    /// <summary>Reports an item that does not fit the kind of list; true when it fits.</summary>
    private bool CheckItem(YamlScalarNode item, ListKind kind, string where)
    {
        var text = item.Value ?? string.Empty;
        switch (kind)
        {
            case ListKind.Addresses when !IpCidr.TryParse(text, out var problem, out _):
                Error(item, $"bad CIDR in {where}: {problem}");
                return false;
            case ListKind.Hassh when !HasshPattern().IsMatch(text):
                Error(item, $"bad HASSH '{text}' in {where} (expected 32 hexadecimal digits, an MD5 as in the replay output)");
                return false;
            case ListKind.Software when text.Length == 0:
                Error(item, $"empty software pattern in {where} (expected e.g. OpenSSH_* or PuTTY_Release_0.7?)");
                return false;
            default:
                return true;
        }
    }
}
