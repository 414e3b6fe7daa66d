using System.Text.Json.Serialization;

namespace TunnelGuard.Lab.Lab;

/// <summary>A long-running lab process (sshd, service host) recorded by PID.</summary>
public sealed record LabStateProcess(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("pid")] int Pid);
