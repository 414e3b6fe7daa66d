using TunnelGuard.Alerts;
using YamlDotNet.RepresentationModel;

namespace TunnelGuard.Rules;

/// <summary>One rule: id, description, match, and its actions (alert, block, allow) and suppression window.</summary>
internal sealed partial class RuleParser
{
    private static readonly string[] RuleFields = ["id", "description", "match", "alert", "block", "allow", "suppress"];
    private static readonly string[] AlertFields = ["severity", "title"];
    private static readonly string[] BlockFields = ["target", "duration", "escalation"];
    private static readonly string[] EscalationFields = ["factor", "max"];

    // A block without an escalation section never grows; with one, max defaults to a day (fail2ban's bantime.maxtime
    // is unbounded by default, which would let a noisy rule shut a host out for months).
    private static readonly TimeSpan DefaultEscalationMax = TimeSpan.FromDays(1);

    private Rule? ReadRule(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, "expected a rule (a mapping starting with 'id:')");
            return null;
        }

        var errorsBefore = _errors.Count;
        CheckFields(map, RuleFields, "a rule");
        var id = ReadId(map);
        var where = id is null ? "the rule" : $"rule '{id}'";
        string? description = Field(map, "description") is { } d ? Scalar(d, "description") : null;
        var match = Field(map, "match") is { } m ? ReadMatch(m) : RuleConditions.Any;
        var alert = Field(map, "alert") is { } a ? ReadAlert(a, id, description) : null;
        var block = Field(map, "block") is { } b ? ReadBlock(b) : null;
        var allowValue = Field(map, "allow") is { } al ? Boolean(al, "allow") : false;
        var allow = allowValue == true;
        var suppress = Field(map, "suppress") is { } s ? Duration(s, "suppress") : Rule.DefaultSuppress;

        if (allow && (Field(map, "alert") is not null || Field(map, "block") is not null))
        {
            Error(Field(map, "allow")!, $"{where} both allows and alerts or blocks (expected either 'allow: true' or 'alert'/'block')");
        }
        else if (allowValue == false && Field(map, "alert") is null && Field(map, "block") is null)
        {
            Error(map, $"{where} has no action (expected 'alert:', 'block:' or 'allow: true')");
        }

        if (_errors.Count > errorsBefore || id is null || match is null)
        {
            return null;
        }

        return new Rule
        {
            Id = id,
            Description = description,
            Position = Pos(map),
            Match = match,
            Alert = alert,
            Block = block,
            Allow = allow,
            Suppress = suppress ?? Rule.DefaultSuppress,
        };
    }

    private string? ReadId(YamlMappingNode map)
    {
        if (Field(map, "id") is not { } node)
        {
            Error(map, "rule has no 'id' (expected e.g. 'id: reverse-tunnel')");
            return null;
        }

        if (Scalar(node, "id") is not { } id)
        {
            return null;
        }

        if (!NamePattern().IsMatch(id))
        {
            Error(node, $"bad rule id '{id}' (expected {NameExpected})");
            return null;
        }

        if (_ids.TryGetValue(id, out var first))
        {
            Error(node, $"duplicate rule id '{id}' (first defined at {first})");
            return null;
        }

        _ids[id] = Pos(node);
        return id;
    }

    private AlertAction? ReadAlert(YamlNode node, string? id, string? description)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, "expected 'alert' to be a mapping with 'severity' and optionally 'title'");
            return null;
        }

        CheckFields(map, AlertFields, "alert");
        var severity = AlertSeverity.Medium;
        if (Field(map, "severity") is not { } s)
        {
            Error(map, $"alert has no 'severity' (expected {AlertSeverities.Expected})");
            return null;
        }

        if (Scalar(s, "severity") is not { } text)
        {
            return null;
        }

        if (!AlertSeverities.TryParse(text, out severity))
        {
            Error(s, $"bad severity '{text}' (expected {AlertSeverities.Expected})");
            return null;
        }

        var title = Field(map, "title") is { } t ? Scalar(t, "title") : null;
        return new AlertAction(severity, title ?? description ?? id ?? string.Empty);
    }

    private BlockAction? ReadBlock(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, "expected 'block' to be a mapping with 'target' and 'duration'");
            return null;
        }

        CheckFields(map, BlockFields, "block");
        BlockTarget? target = null;
        if (Field(map, "target") is not { } t)
        {
            Error(map, "block has no 'target' (expected client, server or pair)");
        }
        else if (Scalar(t, "target") is { } text)
        {
            target = text switch
            {
                "client" => BlockTarget.Client,
                "server" => BlockTarget.Server,
                "pair" => BlockTarget.Pair,
                _ => null,
            };
            if (target is null)
            {
                Error(t, $"bad block target '{text}' (expected client, server or pair)");
            }
        }

        TimeSpan? duration = null;
        if (Field(map, "duration") is not { } d)
        {
            Error(map, $"block has no 'duration' (expected {DurationText.Expected})");
        }
        else
        {
            duration = Duration(d, "duration");
            if (duration == TimeSpan.Zero)
            {
                Error(d, "block duration is 0 (expected a positive duration such as 1h)");
                duration = null;
            }
        }

        double factor = 1;
        TimeSpan? max = DefaultEscalationMax;
        if (Field(map, "escalation") is { } e)
        {
            if (e is not YamlMappingNode escalation)
            {
                Error(e, "expected 'escalation' to be a mapping with 'factor' and optionally 'max'");
                return null;
            }

            CheckFields(escalation, EscalationFields, "escalation");
            factor = Field(escalation, "factor") is { } f ? Number(f, "factor", 1, 100) ?? 1 : 2;
            if (Field(escalation, "max") is { } mx)
            {
                max = Duration(mx, "max");
            }
        }

        if (target is not { } blockTarget || duration is not { } blockDuration || max is not { } blockMax)
        {
            return null;
        }

        return new BlockAction(blockTarget, blockDuration, factor, blockMax < blockDuration ? blockDuration : blockMax);
    }
}
