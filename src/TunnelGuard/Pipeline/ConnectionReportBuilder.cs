using TunnelGuard.Classification;
using TunnelGuard.Flows;
using TunnelGuard.Reporting;
using TunnelGuard.Shape;
using TunnelGuard.Ssh;

namespace TunnelGuard.Pipeline;

/// <summary>Turns an ended flow and what the stages learned about it into its report.</summary>
public static class ConnectionReportBuilder
{
    /// <summary>The report of <paramref name="flow"/>; with <paramref name="ongoing"/> a provisional one of a connection still open (<see cref="ConnectionReport.Ongoing"/>).</summary>
    public static ConnectionReport Build(Flow flow, FlowEndReason reason, string? source, bool ongoing = false)
    {
        var ssh = flow.Ssh;
        if (ssh is null || !ssh.IsSsh)
        {
            return Create(flow, reason, source, clientDirection: 0, ssh: null, ongoing);
        }

        var (clientDirection, basis) = ssh.ResolveRoles(flow.StartSeen, flow.InitiatorPort, flow.ResponderPort);
        var client = ssh.Direction(clientDirection);
        var server = ssh.Direction(1 - clientDirection);
        var clientHassh = client.KexInit is { } clientKexInit ? KexInitCache.Client(clientKexInit) : default((string, string)?);
        var serverHassh = server.KexInit is { } serverKexInit ? KexInitCache.Server(serverKexInit) : default((string, string)?);
        var algorithms = client.KexInit is { } c && server.KexInit is { } s ? SshAlgorithms.Negotiate(c, s) : null;

        // The report's evidence is written out here, on the thread that ends the flow (a shard in a sharded replay),
        // not later by whoever writes the report (the merging thread, on which the whole replay waits).
        ((flow.Classification?.Current ?? Verdict.None).Evidence as ShapeEvidence)?.Write();
        var sides = new SshParts(
            Side(client, clientHassh),
            Side(server, serverHassh),
            algorithms,
            AuthInference.Infer(flow.Classification?.Recorder, clientDirection, algorithms, closed: reason == FlowEndReason.Closed),
            basis,
            ssh.Problems(clientDirection));
        return Create(flow, reason, source, clientDirection, sides, ongoing);
    }

    // Side reports kept per thread by what they hold: a network has a handful of client and server builds, each with
    // one identification line and one KEXINIT, and two fresh records per report were all alike. Emptied when full.
    private const int MaxKeptSides = 1024;

    [ThreadStatic]
    private static Dictionary<(SshIdentification? Identification, string? Hassh, string? HasshString, int PreBannerLines), SshSideReport>? _sides;

    private static SshSideReport Side(SshDirectionParser parser, (string HasshString, string Hassh)? hassh)
    {
        var key = (parser.Identification, hassh?.Hassh, hassh?.HasshString, parser.PreBannerLines);
        var sides = _sides ??= [];
        if (!sides.TryGetValue(key, out var side))
        {
            if (sides.Count >= MaxKeptSides)
            {
                sides.Clear();
            }

            side = new SshSideReport(
                key.Identification?.ProtoVersion,
                key.Identification?.SoftwareVersion,
                key.Identification?.Comments,
                key.Hassh,
                key.HasshString,
                key.PreBannerLines);
            sides[key] = side;
        }

        return side;
    }

    // One object per report: building the common part and copying it with the SSH part (a record's `with`) made two.
    private static ConnectionReport Create(Flow flow, FlowEndReason reason, string? source, int clientDirection, SshParts? ssh, bool ongoing)
    {
        var clientIsInitiator = clientDirection == 0;
        var client = clientIsInitiator ? new Endpoint(flow.Initiator, flow.InitiatorPort) : new Endpoint(flow.Responder, flow.ResponderPort);
        var server = clientIsInitiator ? new Endpoint(flow.Responder, flow.ResponderPort) : new Endpoint(flow.Initiator, flow.InitiatorPort);
        var toServer = flow.Direction(clientDirection);
        var toClient = flow.Direction(1 - clientDirection);

        // Only an SSH connection has a classification (the classify stage starts at its encrypted part).
        var classification = ssh is null ? null : flow.Classification;
        return new ConnectionReport
        {
            IsSsh = ssh is not null,
            FirstSeenMicros = flow.FirstSeenMicros,
            LastSeenMicros = flow.LastSeenMicros,
            Client = client,
            Server = server,
            CommunityId = CommunityId.Compute(client.Address, client.Port, server.Address, server.Port),
            StartSeen = flow.StartSeen,
            OpenedByServer = flow.StartSeen && !clientIsInitiator,
            EndReason = reason,
            PacketsToServer = toServer.Packets,
            PacketsToClient = toClient.Packets,
            BytesToServer = toServer.PayloadBytes,
            BytesToClient = toClient.PayloadBytes,
            Source = source,
            SshClient = ssh?.Client,
            SshServer = ssh?.Server,
            Algorithms = ssh?.Algorithms,
            Auth = ssh?.Auth ?? default,
            RoleBasis = ssh?.RoleBasis,
            Problems = ssh?.Problems ?? [],
            Verdict = classification?.Current ?? Verdict.None,
            VerdictChanges = classification?.Changes ?? [],
            Features = classification?.LastFeatures,
            FeatureHistory = classification?.FeatureHistory ?? [],
            Ongoing = ongoing,
        };
    }
}
