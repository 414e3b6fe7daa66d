using System.Globalization;
using TunnelGuard.Classification;
using TunnelGuard.Shape;
using YamlDotNet.RepresentationModel;

namespace TunnelGuard.Rules;

/// <summary>The <c>match:</c> section: each condition kind and its values.</summary>
internal sealed partial class RuleParser
{
    private static readonly string[] MatchFields =
    [
        "label", "min_confidence", "evidence", "client", "client_not", "server", "server_not", "client_port", "server_port",
        "software", "software_not", "hassh", "hassh_not", "server_software", "server_software_not", "server_hassh",
        "server_hassh_not", "auth", "time",
    ];

    private static readonly string[] AuthNames = ["success", "failure", "unknown"];

    private static readonly string[] TimeFields = ["days", "hours", "utc_offset"];

    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private RuleConditions? ReadMatch(YamlNode node)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return RuleConditions.Any;
        }

        if (node is not YamlMappingNode map)
        {
            Error(node, $"expected 'match' to be a mapping of conditions ({string.Join(", ", MatchFields)})");
            return null;
        }

        CheckFields(map, MatchFields, "match");
        return new RuleConditions
        {
            Labels = Field(map, "label") is { } l ? ReadLabels(l) : null,
            MinConfidence = Field(map, "min_confidence") is { } c ? Number(c, "min_confidence", 0, 1) : null,
            Evidence = Field(map, "evidence") is { } e ? Scalars(e, "evidence")?.Select(s => s.Value ?? string.Empty).ToList() : null,
            Client = Field(map, "client") is { } cl ? Addresses(cl, "client") : null,
            ClientNot = Field(map, "client_not") is { } cn ? Addresses(cn, "client_not") : null,
            Server = Field(map, "server") is { } sv ? Addresses(sv, "server") : null,
            ServerNot = Field(map, "server_not") is { } sn ? Addresses(sn, "server_not") : null,
            ClientPorts = Field(map, "client_port") is { } cp ? ReadPorts(cp, "client_port") : null,
            ServerPorts = Field(map, "server_port") is { } sp ? ReadPorts(sp, "server_port") : null,
            Software = Field(map, "software") is { } sw ? Texts(sw, "software", ListKind.Software) : null,
            SoftwareNot = Field(map, "software_not") is { } swn ? Texts(swn, "software_not", ListKind.Software) : null,
            Hassh = Field(map, "hassh") is { } h ? Texts(h, "hassh", ListKind.Hassh) : null,
            HasshNot = Field(map, "hassh_not") is { } hn ? Texts(hn, "hassh_not", ListKind.Hassh) : null,
            ServerSoftware = Field(map, "server_software") is { } ss ? Texts(ss, "server_software", ListKind.Software) : null,
            ServerSoftwareNot = Field(map, "server_software_not") is { } ssn ? Texts(ssn, "server_software_not", ListKind.Software) : null,
            ServerHassh = Field(map, "server_hassh") is { } sh ? Texts(sh, "server_hassh", ListKind.Hassh) : null,
            ServerHasshNot = Field(map, "server_hassh_not") is { } shn ? Texts(shn, "server_hassh_not", ListKind.Hassh) : null,
            Auth = Field(map, "auth") is { } a ? ReadAuth(a) : null,
            Time = Field(map, "time") is { } t ? ReadTimes(t) : null,
        };
    }

    private List<string>? ReadLabels(YamlNode node)
    {
        if (Scalars(node, "label") is not { } items)
        {
            return null;
        }

        if (items.Count == 0 && (node is not YamlSequenceNode sequence || sequence.Children.Count == 0))
        {
            // An empty label list would make a rule that never matches, which is never what was meant.
            Error(node, $"empty 'label' (expected one or more of: {string.Join(", ", Labels.All)})");
            return null;
        }

        var labels = new List<string>();
        foreach (var item in items)
        {
            var label = item.Value ?? string.Empty;
            if (Labels.IsKnown(label))
            {
                labels.Add(label);
            }
            else
            {
                Error(item, $"unknown label '{label}' (expected one of: {string.Join(", ", Labels.All)})");
            }
        }

        return labels;
    }

    private List<AuthOutcome>? ReadAuth(YamlNode node)
    {
        if (Scalars(node, "auth") is not { } items)
        {
            return null;
        }

        var outcomes = new List<AuthOutcome>();
        foreach (var item in items)
        {
            AuthOutcome? outcome = item.Value switch
            {
                "success" => AuthOutcome.Success,
                "failure" => AuthOutcome.Failure,
                "unknown" => AuthOutcome.Unknown,
                _ => null,
            };
            if (outcome is { } known)
            {
                outcomes.Add(known);
            }
            else
            {
                Error(item, $"unknown auth outcome '{item.Value}' (expected one or more of: {string.Join(", ", AuthNames)})");
            }
        }

        if (items.Count == 0)
        {
            Error(node, $"empty 'auth' (expected one or more of: {string.Join(", ", AuthNames)})");
            return null;
        }

        return outcomes;
    }

    private List<PortRange>? ReadPorts(YamlNode node, string field)
    {
        if (Scalars(node, field) is not { } items)
        {
            return null;
        }

        var ports = new List<PortRange>();
        foreach (var item in items)
        {
            var text = item.Value ?? string.Empty;
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            if (TryPort(dash < 0 ? text : text[..dash], out var first) && TryPort(dash < 0 ? text : text[(dash + 1)..], out var last) && first <= last)
            {
                ports.Add(new PortRange(first, last));
            }
            else
            {
                Error(item, $"bad port '{text}' for '{field}' (expected a port 0-65535 or a range such as 1024-65535)");
            }
        }

        return ports;
    }

    private static bool TryPort(string text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port);

    private List<TimeWindow>? ReadTimes(YamlNode node)
    {
        if (node is YamlMappingNode single)
        {
            return ReadTime(single) is { } window ? [window] : null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, "expected 'time' to be a mapping with days, hours and utc_offset, or a list of them");
            return null;
        }

        var windows = new List<TimeWindow>();
        foreach (var item in sequence)
        {
            if (item is not YamlMappingNode map)
            {
                Error(item, "expected a time window (a mapping with days, hours and utc_offset)");
            }
            else if (ReadTime(map) is { } window)
            {
                windows.Add(window);
            }
        }

        return windows;
    }

    private TimeWindow? ReadTime(YamlMappingNode map)
    {
        var errorsBefore = _errors.Count;
        CheckFields(map, TimeFields, "time");
        var days = new HashSet<DayOfWeek>();
        if (Field(map, "days") is { } d && Scalars(d, "days") is { } items)
        {
            foreach (var item in items)
            {
                if (!AddDays(item.Value ?? string.Empty, days))
                {
                    Error(item, $"bad day '{item.Value}' (expected mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri)");
                }
            }
        }
        else
        {
            days.UnionWith(Enum.GetValues<DayOfWeek>());
        }

        int start = 0, end = TimeWindow.WholeDay;
        if (Field(map, "hours") is { } h && Scalar(h, "hours") is { } hours)
        {
            var dash = hours.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !TryClock(hours[..dash], out start) || !TryClock(hours[(dash + 1)..], out end) || start == end)
            {
                Error(h, $"bad hours '{hours}' (expected HH:MM-HH:MM such as 08:00-18:00, or 22:00-06:00 over midnight)");
            }
        }

        var offset = TimeSpan.Zero;
        if (Field(map, "utc_offset") is { } o && Scalar(o, "utc_offset") is { } offsetText && !TryOffset(offsetText, out offset))
        {
            Error(o, $"bad utc_offset '{offsetText}' (expected UTC or +HH:MM / -HH:MM such as +01:00)");
        }

        return _errors.Count > errorsBefore ? null : new TimeWindow(days, start, end, offset);
    }

    private static bool AddDays(string text, HashSet<DayOfWeek> days)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var first = Array.IndexOf(DayNames, dash < 0 ? text : text[..dash]);
        var last = Array.IndexOf(DayNames, dash < 0 ? text : text[(dash + 1)..]);
        if (first < 0 || last < 0)
        {
            return false;
        }

        // A range may wrap over the end of the week: fri-mon.
        for (var day = first; ; day = (day + 1) % 7)
        {
            days.Add((DayOfWeek)day);
            if (day == last)
            {
                return true;
            }
        }
    }

    private static bool TryClock(string text, out int minute)
    {
        minute = 0;
        if (text.Length != 5 || text[2] != ':' || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m > 59 || h > 24 || (h == 24 && m != 0))
        {
            return false;
        }

        minute = (h * 60) + m;
        return true;
    }

    private static bool TryOffset(string text, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (text is "UTC" or "Z")
        {
            return true;
        }

        if (text.Length != 6 || (text[0] != '+' && text[0] != '-') || !TryClock(text[1..], out var minutes) || minutes > 14 * 60)
        {
            return false;
        }

        offset = TimeSpan.FromMinutes(text[0] == '-' ? -minutes : minutes);
        return true;
    }
}
