using TunnelGuard.Flows;
using TunnelGuard.Reporting;
using TunnelGuard.Shape;
using TunnelGuard.Ssh;

namespace TunnelGuard.Classification;

/// <summary>
/// The classify stage's state for one SSH connection: its encrypted segments, when to decide next, and the verdicts
/// reached so far. A first verdict comes as soon as the evidence allows; later decisions that differ are kept as
/// changes with the packet time they were reached.
/// </summary>
public sealed class ConnectionClassification
{
    // Seconds of encrypted traffic at which the connection is judged again; after the last, every minute.
    private static readonly double[] Checkpoints = [0.5, 1, 2, 3, 5, 8, 12, 20, 30, 45, 60];

    private readonly List<VerdictChange> _changes = [];
    private readonly List<ShapeFeatures>? _history;
    private int _nextCheckpoint;
    private bool _rolesResolved;
    private int _clientDirection;
    private SshPacketSizer? _sizer;

    /// <param name="keepFeatureHistory">
    /// Whether to keep the features of every judgement (<see cref="FeatureHistory"/>, the rows a model is trained on);
    /// without it only the latest are kept, and a replay of many open connections holds less memory.
    /// </param>
    /// <param name="buffers">The pipeline's pool for the recorder's event buffer (<see cref="ShapeRecorder"/>).</param>
    public ConnectionClassification(bool keepFeatureHistory = true, FreeBuffers<long>? buffers = null)
    {
        _history = keepFeatureHistory ? [] : null;
        Recorder = new ShapeRecorder(buffers);
    }

    public ShapeRecorder Recorder { get; }

    public Verdict Current { get; private set; } = Verdict.None;

    public IReadOnlyList<VerdictChange> Changes => _changes;

    /// <summary>The latest features computed, for explanation and for training data.</summary>
    public ShapeFeatures? LastFeatures { get; private set; }

    /// <summary>The features of every judgement, in order: the rows a model is trained on (empty when not kept).</summary>
    public IReadOnlyList<ShapeFeatures> FeatureHistory => (IReadOnlyList<ShapeFeatures>?)_history ?? [];

    /// <summary>Records an encrypted segment and judges the connection again when a checkpoint has passed.</summary>
    public void OnSegment(long micros, int direction, int size, SshHandshake handshake, bool startSeen, ushort initiatorPort, ushort responderPort, IShapeClassifier classifier)
    {
        Recorder.OnSegment(micros, direction, size);
        var elapsed = (micros - Recorder.StartMicros) / 1e6;
        if (elapsed >= NextCheckpointSeconds())
        {
            _nextCheckpoint++;
            Decide(micros, handshake, startSeen, initiatorPort, responderPort, classifier, final: false);
        }
    }

    /// <summary>The last judgement, at the end of the connection.</summary>
    public void Finish(long micros, SshHandshake handshake, bool startSeen, ushort initiatorPort, ushort responderPort, IShapeClassifier classifier)
    {
        if (Recorder.StartMicros >= 0)
        {
            Decide(micros, handshake, startSeen, initiatorPort, responderPort, classifier, final: true);
        }
    }

    private double NextCheckpointSeconds() =>
        _nextCheckpoint < Checkpoints.Length ? Checkpoints[_nextCheckpoint] : Checkpoints[^1] + (60.0 * (_nextCheckpoint - Checkpoints.Length + 1));

    private void Decide(long micros, SshHandshake handshake, bool startSeen, ushort initiatorPort, ushort responderPort, IShapeClassifier classifier, bool final)
    {
        if (!_rolesResolved)
        {
            _rolesResolved = true;
            (_clientDirection, _) = handshake.ResolveRoles(startSeen, initiatorPort, responderPort);
            var client = handshake.Direction(_clientDirection).KexInit;
            var server = handshake.Direction(1 - _clientDirection).KexInit;
            if (client is not null && server is not null)
            {
                var agreed = SshAlgorithms.Negotiate(client, server);
                _sizer = SshPacketSizer.For(agreed.CipherClientToServer, agreed.MacClientToServer);
            }
        }

        var features = ShapeFeatureExtractor.Extract(Recorder, _clientDirection, _sizer, micros);
        LastFeatures = features;
        _history?.Add(features);
        var verdict = classifier.Classify(features, final);
        if (verdict is null || (verdict.Label == Current.Label && verdict.Labels.SequenceEqual(Current.Labels)))
        {
            if (verdict is not null)
            {
                Current = Current with { Confidence = verdict.Confidence, Evidence = verdict.Evidence };
            }

            return;
        }

        var after = (micros - Recorder.StartMicros) / 1e6;
        Current = verdict with { DecidedAfterSeconds = after };
        _changes.Add(new VerdictChange(micros, after, Current));
    }
}
