using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace TunnelGuard.Rules;

/// <summary>Reading single values and lists of values, with an error for each wrong shape.</summary>
internal sealed partial class RuleParser
{
    private static YamlNode? Field(YamlMappingNode map, string name) =>
        map.Children.TryGetValue(new YamlScalarNode(name), out var value) ? value : null;

    /// <summary>Names every key that is not one of <paramref name="allowed"/>.</summary>
    private void CheckFields(YamlMappingNode map, string[] allowed, string where)
    {
        foreach (var key in map.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                Error(key, $"expected a field name in {where}");
                continue;
            }

            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                var hint = allowed.FirstOrDefault(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase) || Distance(a, name) <= 2);
                Error(key, $"unknown field '{name}' in {where}{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected one of: {string.Join(", ", allowed)}");
            }
        }
    }

    private string? Scalar(YamlNode node, string field)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        Error(node, $"expected a single value for '{field}', not a {(node is YamlSequenceNode ? "list" : "mapping")}");
        return null;
    }

    /// <summary>A value or a list of values, each a scalar node.</summary>
    private List<YamlScalarNode>? Scalars(YamlNode node, string field)
    {
        if (node is YamlScalarNode scalar)
        {
            return string.IsNullOrEmpty(scalar.Value) && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain ? [] : [scalar];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"expected a value or a list of values for '{field}', not a mapping");
            return null;
        }

        var items = new List<YamlScalarNode>();
        foreach (var item in sequence)
        {
            if (item is YamlScalarNode s)
            {
                items.Add(s);
            }
            else
            {
                Error(item, $"expected a single value in the list '{field}', not a {(item is YamlSequenceNode ? "list" : "mapping")}");
            }
        }

        return items;
    }

    private bool? Boolean(YamlNode node, string field)
    {
        switch (Scalar(node, field))
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            case var other:
                Error(node, $"bad value '{other}' for '{field}' (expected true or false)");
                return null;
        }
    }

    private double? Number(YamlNode node, string field, double min, double max)
    {
        if (Scalar(node, field) is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max || double.IsNaN(value))
        {
            Error(node, $"bad value '{text}' for '{field}' (expected a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)})");
            return null;
        }

        return value;
    }

    private TimeSpan? Duration(YamlNode node, string field)
    {
        if (Scalar(node, field) is not { } text)
        {
            return null;
        }

        if (!DurationText.TryParse(text, out var duration))
        {
            Error(node, $"bad duration '{text}' for '{field}' (expected {DurationText.Expected})");
            return null;
        }

        return duration;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
