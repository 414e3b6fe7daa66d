using TunnelGuard.Cli;

namespace TunnelGuard.Tests.Cli;

public sealed class CommandLineTests
{
    [Fact]
    public void EveryCommand_IsListedUnderTheNameItIsRunBy()
    {
        var console = new CliConsole(new StringWriter(), new StringWriter(), false, false);
        foreach (var (name, create) in TunnelGuardCommandLine.Commands)
        {
            Assert.Equal(name, create(console).Name);
        }
    }

    [Fact]
    public void RootHelp_ListsEveryCommand()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var (name, _) in TunnelGuardCommandLine.Commands)
        {
            Assert.Contains($"  {name} ", run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MistypedCommand_IsAUsageErrorThatNamesIt()
    {
        var run = CliRun.Of("replya", "x.pcap");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("replya", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CommandRunAlone_StillRefusesAnUnknownOption()
    {
        var run = CliRun.Of("replay", "--bogus", "x.pcap");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--bogus", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replay", "x.pcap", "--threads", "x")]
    [InlineData("replay", "x.pcap", "--max-flows", "many")]
    [InlineData("monitor", "--interface", "lo", "--duration", "soon")]
    public void NumberOptionThatIsNoNumber_IsAUsageErrorNamingIt_NotACrash(params string[] args)
    {
        var run = CliRun.Of(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"Cannot parse argument '{args[^1]}' for option '{args[^2]}'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }
}
