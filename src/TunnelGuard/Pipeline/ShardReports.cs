using TunnelGuard.Reporting;

namespace TunnelGuard.Pipeline;

/// <summary>
/// One shard's reports in one batch, in the order it made them, each with its <see cref="ReportOrder"/>. A plain growing
/// array rather than a <see cref="List{T}"/> of tuples: that generic instantiation over the engine's types is code that
/// nothing precompiles (8 methods compiled at every sharded replay's start), and so would be Array.Resize or
/// Array.Empty over <see cref="ReportOrder"/>.
/// </summary>
internal sealed class ShardReports
{
    private const int InitialCapacity = 16;

    private ReportOrder[] _orders = new ReportOrder[InitialCapacity];
    private ConnectionReport[] _reports = new ConnectionReport[InitialCapacity];

    public int Count { get; private set; }

    public ReportOrder Order(int index) => _orders[index];

    public ConnectionReport Report(int index) => _reports[index];

    public void Add(ReportOrder order, ConnectionReport report)
    {
        if (Count == _orders.Length)
        {
            var orders = new ReportOrder[Count * 2];
            var reports = new ConnectionReport[Count * 2];
            Array.Copy(_orders, orders, Count);
            Array.Copy(_reports, reports, Count);
            _orders = orders;
            _reports = reports;
        }

        _orders[Count] = order;
        _reports[Count++] = report;
    }

    /// <summary>Empties the list for the next batch; the reports already merged are let go.</summary>
    public void Clear()
    {
        Array.Clear(_reports, 0, Count);
        Count = 0;
    }
}
