namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>What one side of a byte exchange sent and received, as SHA-256 digests in hex.</summary>
public sealed record ExchangeResult(string SentSha256, long SentBytes, string ReceivedSha256, long ReceivedBytes);
