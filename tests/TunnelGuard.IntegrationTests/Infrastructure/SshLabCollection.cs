namespace TunnelGuard.IntegrationTests.Infrastructure;

/// <summary>Tests that share one <see cref="SshLab"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SshLabCollection : ICollectionFixture<SshLab>
{
    public const string Name = "ssh lab";
}
