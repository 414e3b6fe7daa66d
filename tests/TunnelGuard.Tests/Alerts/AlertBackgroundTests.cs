using TunnelGuard.Alerts;
using TunnelGuard.Rules;
using TunnelGuard.Tests.Rules;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

/// <summary>
/// The monitor's alert path: the policy runs on the pipeline thread, storing and delivering on a worker, so a sink that
/// hangs does not hold the pipeline up, and every alert is in the store before any sink sees it.
/// </summary>
public sealed class AlertBackgroundTests
{
    private const string Policy = "rules:\n  - { id: reverse, match: { label: forward-remote }, alert: { severity: high, title: Reverse tunnel }, suppress: 0 }\n";

    [Fact]
    public async Task HangingSink_DoesNotHoldUpEvaluation_AndEachAlertIsStoredBeforeTheSinkSeesIt()
    {
        using var dir = new TempDirectory();
        using var store = AlertStore.Open(dir.File("alerts.db"));
        var engine = new RuleEngine(RuleLoader.Parse("p.yaml", Policy).RuleSet!);
        var sink = new GatedSink(store);
        var alerting = new AlertingConnectionSink(null, engine, store, [sink]);
        alerting.StartBackground();

        // The sink blocks on its first alert until the gate opens; evaluation must return all the same (the timeout
        // only turns a hang into a failure, it is not a speed limit).
        var evaluated = Task.Run(() =>
        {
            for (var port = 40000; port < 40003; port++)
            {
                alerting.Evaluate(TestReports.Ssh(label: "forward-remote", clientPort: (ushort)port));
            }
        });
        await evaluated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, alerting.Raised);
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, sink.Delivered);

        sink.Gate.Set();
        await alerting.StopBackgroundAsync();

        Assert.Equal(3, sink.Delivered);
        Assert.Equal(3, store.Count());
        Assert.All(sink.StoredWhenSeen, Assert.True);
    }

    /// <summary>Blocks until <see cref="Gate"/> opens; records whether each alert was already in the store when it came.</summary>
    private sealed class GatedSink(AlertStore store) : IAlertSink
    {
        private int _delivered;

        public ManualResetEventSlim Gate { get; } = new(false);

        public ManualResetEventSlim Entered { get; } = new(false);

        public List<bool> StoredWhenSeen { get; } = [];

        public int Delivered => Volatile.Read(ref _delivered);

        public void OnAlert(Alert alert)
        {
            Entered.Set();
            Gate.Wait();
            StoredWhenSeen.Add(store.Get(alert.Id) is not null);
            Interlocked.Increment(ref _delivered);
        }
    }
}
