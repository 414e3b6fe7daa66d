using TunnelGuard.Corpus;

namespace TunnelGuard.Lab.Lab;

/// <summary>What a recording produced: the captures written and the scenarios that failed, with why.</summary>
public sealed record RecordResult(IReadOnlyList<CorpusCapture> Captures, IReadOnlyList<string> Failures);
