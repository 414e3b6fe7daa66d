using TunnelGuard.Classification;
using TunnelGuard.Flows;
using TunnelGuard.Reporting;
using TunnelGuard.Shape;
using TunnelGuard.Ssh;

namespace TunnelGuard.Pipeline;

/// <summary>Turns an ended flow and what the stages learned about it into its report.</summary>
public static class ConnectionReportBuilder
{
    public static ConnectionReport Build(Flow flow, FlowEndReason reason, string? source)
    {
        var ssh = flow.Ssh;
        if (ssh is null || !ssh.IsSsh)
        {
            return Common(flow, reason, source, clientDirection: 0) with { IsSsh = false };
        }

        var (clientDirection, basis) = ssh.ResolveRoles(flow.StartSeen, flow.InitiatorPort, flow.ResponderPort);
        var client = ssh.Direction(clientDirection);
        var server = ssh.Direction(1 - clientDirection);
        var clientHassh = client.KexInit is { } clientKexInit ? KexInitCache.Client(clientKexInit) : default((string, string)?);
        var serverHassh = server.KexInit is { } serverKexInit ? KexInitCache.Server(serverKexInit) : default((string, string)?);
        var algorithms = client.KexInit is { } c && server.KexInit is { } s ? SshAlgorithms.Negotiate(c, s) : null;
        var verdict = flow.Classification?.Current ?? Verdict.None;

        // The report's evidence is written out here, on the thread that ends the flow (a shard in a sharded replay),
        // not later by whoever writes the report (the merging thread, on which the whole replay waits).
        (verdict.Evidence as ShapeEvidence)?.Write();
        return Common(flow, reason, source, clientDirection) with
        {
            IsSsh = true,
            SshClient = Side(client, clientHassh),
            SshServer = Side(server, serverHassh),
            Algorithms = algorithms,
            Auth = AuthInference.Infer(flow.Classification?.Recorder, clientDirection, algorithms, closed: reason == FlowEndReason.Closed),
            RoleBasis = basis,
            Problems = [.. ssh.Problems(clientDirection)],
            Verdict = verdict,
            VerdictChanges = flow.Classification?.Changes ?? [],
            Features = flow.Classification?.LastFeatures,
            FeatureHistory = flow.Classification?.FeatureHistory ?? [],
        };
    }

    private static SshSideReport Side(SshDirectionParser parser, (string HasshString, string Hassh)? hassh) => new(
        parser.Identification?.ProtoVersion,
        parser.Identification?.SoftwareVersion,
        parser.Identification?.Comments,
        hassh?.Hassh,
        hassh?.HasshString,
        parser.PreBannerLines);

    private static ConnectionReport Common(Flow flow, FlowEndReason reason, string? source, int clientDirection)
    {
        var clientIsInitiator = clientDirection == 0;
        var client = clientIsInitiator ? new Endpoint(flow.Initiator, flow.InitiatorPort) : new Endpoint(flow.Responder, flow.ResponderPort);
        var server = clientIsInitiator ? new Endpoint(flow.Responder, flow.ResponderPort) : new Endpoint(flow.Initiator, flow.InitiatorPort);
        var toServer = flow.Direction(clientDirection);
        var toClient = flow.Direction(1 - clientDirection);
        return new ConnectionReport
        {
            IsSsh = false,
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
        };
    }
}
