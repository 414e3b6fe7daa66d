using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using TunnelGuard.Alerts;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Alerts;

/// <summary>A stored alert as one JSON line: the alert as it was raised plus the connection's <c>timeline</c> of verdict changes and a <c>triage</c> object (status, history).</summary>
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

        var timeline = new JsonArray();
        foreach (var change in record.Timeline)
        {
            timeline.Add(new JsonObject
            {
                ["timestamp"] = PacketTime.ToRfc3339(change.AtMicros),
                ["after_s"] = Math.Round(change.AfterSeconds, 6),
                ["label"] = change.Verdict.Label,
                ["confidence"] = Math.Round(change.Verdict.Confidence, 4),
            });
        }

        // The stored timeline: the changes in verdict.changes plus those a monitor saw after raising the alert.
        node["timeline"] = timeline;
        node["triage"] = new JsonObject { ["status"] = AlertStatuses.Name(record.Status), ["history"] = history };
        return node.ToJsonString(Options);
    }
}
