using TunnelGuard.Alerts;
using TunnelGuard.Tests.Support;

namespace TunnelGuard.Tests.Alerts;

public sealed class AlertDispatcherTests
{
    [Fact]
    public async Task StoreCommits_BeforeAnySinkIsTold()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.db");
        using var store = AlertStore.Open(path);
        using var observer = AlertStore.Open(path);
        var seenInStore = new List<bool>();
        var dispatcher = new AlertDispatcher(store, [new CallbackSink(a => seenInStore.Add(observer.Get(a.Id) is not null))]);

        for (var i = 0; i < 20; i++)
        {
            dispatcher.OnAlert(TestAlerts.Make(clientPort: (ushort)(1000 + i)));
        }

        await dispatcher.DisposeAsync();

        Assert.Equal(20, seenInStore.Count);
        Assert.All(seenInStore, Assert.True);
        Assert.Equal(20, dispatcher.Delivered);
    }

    [Fact]
    public async Task SlowSink_DoesNotBlockTheProducer_OverflowIsDroppedAndCounted()
    {
        using var release = new ManualResetEventSlim();
        using var firstArrived = new ManualResetEventSlim();
        var received = 0;
        var dispatcher = new AlertDispatcher(null, [new CallbackSink(_ =>
        {
            firstArrived.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            Interlocked.Increment(ref received);
        })], capacity: 8);

        dispatcher.OnAlert(TestAlerts.Make(clientPort: 1));
        Assert.True(firstArrived.Wait(TimeSpan.FromSeconds(10)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 8 + 5; i++)
        {
            dispatcher.OnAlert(TestAlerts.Make(clientPort: (ushort)(100 + i)));
        }

        var elapsed = clock.Elapsed;
        release.Set();
        await dispatcher.DisposeAsync();

        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"OnAlert blocked for {elapsed}");
        Assert.Equal(5, dispatcher.Dropped);
        Assert.Equal(1 + 8, received);
    }

    [Fact]
    public async Task FailingSink_IsCountedAndReported_OtherSinksStillGetEveryAlert()
    {
        var failures = new List<string>();
        var good = new List<string>();
        var dispatcher = new AlertDispatcher(
            null,
            [new CallbackSink(_ => throw new IOException("disk full")), new CallbackSink(a => good.Add(a.Id))],
            (part, alert, ex) => failures.Add($"{part}: {ex.Message}"));

        dispatcher.OnAlert(TestAlerts.Make(clientPort: 1));
        dispatcher.OnAlert(TestAlerts.Make(clientPort: 2));
        await dispatcher.DisposeAsync();

        Assert.Equal(2, good.Count);
        Assert.Equal(2, dispatcher.SinkFailures);
        Assert.Equal(["CallbackSink: disk full", "CallbackSink: disk full"], failures);
    }

    [Fact]
    public async Task AfterDispose_AlertsAreDropped()
    {
        var dispatcher = new AlertDispatcher(null, []);
        await dispatcher.DisposeAsync();

        dispatcher.OnAlert(TestAlerts.Make());

        Assert.Equal(1, dispatcher.Dropped);
    }

    private sealed class CallbackSink(Action<Alert> onAlert) : IAlertSink
    {
        public void OnAlert(Alert alert) => onAlert(alert);
    }
}
