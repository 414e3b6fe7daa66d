using TunnelGuard.Classification;
using TunnelGuard.Lab.Lab;

namespace TunnelGuard.Tests.Lab;

public sealed class ScenarioCatalogTests
{
    // The labels a manifest uses: the six uses and not-ssh (never unknown).
    private static readonly string[] ManifestVocabulary = [.. Labels.Classes, Labels.NotSsh];

    [Fact]
    public void All_NamesAreUnique()
    {
        Assert.Equal(ScenarioCatalog.All.Count, ScenarioCatalog.All.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void All_LabelsComeFromTheVocabulary_AndAnyForwardIsPrimary()
    {
        foreach (var connection in ScenarioCatalog.All.SelectMany(s => s.Connections))
        {
            Assert.All(connection.Labels, l => Assert.Contains(l, ManifestVocabulary));
            var forwards = connection.Labels.Where(l => l.StartsWith("forward-", StringComparison.Ordinal)).ToList();
            if (forwards.Count > 0)
            {
                Assert.Equal(forwards[0], connection.Primary);
            }
        }
    }

    [Fact]
    public void All_CoverEveryLabelAndEveryClient()
    {
        var labels = ScenarioCatalog.All.SelectMany(s => s.Connections).SelectMany(c => c.Labels).ToHashSet();
        Assert.All(ManifestVocabulary, l => Assert.Contains(l, labels));
        Assert.All(Enum.GetValues<ClientKind>(), k => Assert.Contains(ScenarioCatalog.All, s => s.Client == k));
    }

    [Fact]
    public void All_AddressesStayInsideTheLabSubnets()
    {
        foreach (var connection in ScenarioCatalog.All.SelectMany(s => s.Connections))
        {
            Assert.StartsWith("198.18.4.", connection.ClientAddress, StringComparison.Ordinal);
            Assert.StartsWith("198.18.4.", connection.ServerAddress, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Select_All_AndAList()
    {
        Assert.Same(ScenarioCatalog.All, ScenarioCatalog.Select("all"));
        Assert.Equal(["exec", "proxyjump"], ScenarioCatalog.Select("exec, proxyjump").Select(s => s.Name));
    }

    [Fact]
    public void Select_UnknownName_Throws()
    {
        var ex = Assert.Throws<LabException>(() => ScenarioCatalog.Select("exec,nope"));
        Assert.Contains("nope", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", "implicit", "chacha20")]
    [InlineData("aes128-gcm@openssh.com", "implicit", "aes128gcm")]
    [InlineData("aes128-ctr", "hmac-sha2-256", "aes128ctr-hmacsha2256")]
    [InlineData("aes128-ctr", "hmac-sha2-256-etm@openssh.com", "aes128ctr-hmacsha2256etm")]
    [InlineData(null, null, "unknown")]
    public void CipherTag_IsShortAndFileNameSafe(string? cipher, string? mac, string expected)
    {
        Assert.Equal(expected, ScenarioRecorder.CipherTag(cipher, mac));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void CipherChoice_AllScenarios_UseEveryOpenSshCipherForASeed(int seed)
    {
        var used = ScenarioCatalog.All.Where(s => s.Client == ClientKind.OpenSsh).Select(s => CipherChoice.For(s.Name, s.Client, seed)).Distinct().Count();
        Assert.Equal(4, used);
    }

    [Fact]
    public void CipherChoice_ForAScenario_DependsOnlyOnNameAndSeed()
    {
        Assert.Same(CipherChoice.For("exec", ClientKind.OpenSsh, 5), CipherChoice.For("exec", ClientKind.OpenSsh, 5));
        Assert.NotSame(CipherChoice.For("exec", ClientKind.OpenSsh, 5), CipherChoice.For("exec", ClientKind.OpenSsh, 6));
    }

    [Fact]
    public void CipherChoice_OpenSsh_OffersFourIncludingEtmAndNonEtm()
    {
        var choices = CipherChoice.For(ClientKind.OpenSsh);
        Assert.Equal(4, choices.Count);
        Assert.Contains(choices, c => c.Mac == "hmac-sha2-256-etm@openssh.com");
        Assert.Contains(choices, c => c.Mac == "hmac-sha2-256");
        Assert.All(choices, c => Assert.Same(c, CipherChoice.Parse(c.Tag)));
    }
}
