namespace TunnelGuard.Tests;

public sealed class PlaceholderTests
{
    [Fact]
    public void Nothing_IsNotSomething() => Assert.NotEqual(0, 1);
}
