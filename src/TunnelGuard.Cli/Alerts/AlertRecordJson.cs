using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using TunnelGuard.Alerts;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Alerts;

/// <summary>A stored alert as one JSON line: the alert as it was raised plus a <c>triage</c> object (status, history).</summary>
internal static class AlertRecordJson
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToJson(AlertRecord record)
    {
        var node = JsonNode.Parse(record.Json)!.AsObject();
        var history = new JsonArray();
        foreach (var step in record.History)
        {
            history.Add(new JsonObject
            {
                ["at"] = PacketTime.ToRfc3339(step.AtMicros),
                ["status"] = AlertStatuses.Name(step.Status),
                ["note"] = step.Note,
            });
        }

        node["triage"] = new JsonObject { ["status"] = AlertStatuses.Name(record.Status), ["history"] = history };
        return node.ToJsonString(Options);
    }
}
