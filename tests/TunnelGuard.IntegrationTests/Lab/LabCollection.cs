namespace TunnelGuard.IntegrationTests.Lab;

/// <summary>Lab tests share one recording and the lab's fixed namespaces, so they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabRecording>
{
    public const string Name = "tunnelguard lab";
}
