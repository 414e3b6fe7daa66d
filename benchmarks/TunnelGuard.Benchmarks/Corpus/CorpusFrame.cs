namespace TunnelGuard.Benchmarks.Corpus;

/// <summary>One frame of a committed capture, copied out of the reader so that it can be replayed from memory.</summary>
internal sealed record CorpusFrame(int LinkType, long TimestampMicros, byte[] Data, int OriginalLength);
