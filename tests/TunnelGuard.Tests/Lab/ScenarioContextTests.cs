using TunnelGuard.Lab.Lab;

namespace TunnelGuard.Tests.Lab;

public sealed class ScenarioContextTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"tg-ctx-{Guid.NewGuid():N}");

    [Fact]
    public async Task SizesAndCounts_SameSeed_AreTheSame_AndNoted()
    {
        await using var a = new ScenarioContext(5, CipherChoice.Chacha20, 1, Path.Combine(_directory, "a"));
        await using var b = new ScenarioContext(5, CipherChoice.Chacha20, 1, Path.Combine(_directory, "b"));
        Assert.Equal(a.Size("bytes", 1_000, 9_000), b.Size("bytes", 1_000, 9_000));
        Assert.Equal(a.Count("n", 2, 9), b.Count("n", 2, 9));
        Assert.Equal(["bytes", "n"], a.Parameters.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SshConfig_NamesTheChosenCipherAndMac()
    {
        await using var context = new ScenarioContext(1, CipherChoice.Aes128CtrEtm, 1, _directory);
        var config = await File.ReadAllTextAsync(context.SshConfig);
        Assert.Contains("Ciphers aes128-ctr", config, StringComparison.Ordinal);
        Assert.Contains("MACs hmac-sha2-256-etm@openssh.com", config, StringComparison.Ordinal);
        Assert.Contains("EscapeChar none", config, StringComparison.Ordinal);
    }

    [Fact]
    public void OnPty_QuotesEveryArgumentForScript()
    {
        var args = ScenarioContext.OnPty("dbclient", "-t", "it's");
        Assert.Equal("script", args[0]);
        Assert.Equal("'dbclient' '-t' 'it'\\''s'", args[5]);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
