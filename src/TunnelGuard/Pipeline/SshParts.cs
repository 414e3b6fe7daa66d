using TunnelGuard.Reporting;
using TunnelGuard.Shape;
using TunnelGuard.Ssh;

namespace TunnelGuard.Pipeline;

/// <summary>The parts of a report that only an SSH connection has, gathered before its report is made in one piece.</summary>
internal readonly record struct SshParts(
    SshSideReport Client,
    SshSideReport Server,
    SshAlgorithms? Algorithms,
    AuthOutcome Auth,
    SshRoleBasis RoleBasis,
    IReadOnlyList<string> Problems);
