using System.Runtime.CompilerServices;

namespace TunnelGuard.Classification;

/// <summary>
/// The labels one judgement names, gathered on the stack: a connection is judged at every checkpoint, and a list per
/// judgement (two with the model) was garbage at once for most of them. <see cref="ToList"/> makes what a verdict keeps.
/// </summary>
internal struct LabelSet
{
    // The six use labels; a set holds each at most once.
    private const int Capacity = 6;

    private Items _items;

    public int Count { get; private set; }

    public readonly string this[int index] => _items[index];

    public void Add(string label)
    {
        _items[Count++] = label;
    }

    public void AddOnce(string label)
    {
        for (var i = 0; i < Count; i++)
        {
            if (_items[i] == label)
            {
                return;
            }
        }

        Add(label);
    }

    /// <summary>
    /// The labels, most dangerous first (every label has its own danger, so the order is the same however they were
    /// added): one shared array for a single label, a new array for more.
    /// </summary>
    public readonly IReadOnlyList<string> ToList()
    {
        if (Count == 1)
        {
            return Single(_items[0]);
        }

        var labels = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            labels[i] = _items[i];
        }

        labels.AsSpan().Sort(static (a, b) => Labels.Danger(b).CompareTo(Labels.Danger(a)));
        return labels;
    }

    private static IReadOnlyList<string> Single(string label) => label switch
    {
        Labels.Interactive => SingleLabel.Interactive,
        Labels.Exec => SingleLabel.Exec,
        Labels.FileTransfer => SingleLabel.FileTransfer,
        Labels.ForwardLocal => SingleLabel.ForwardLocal,
        Labels.ForwardRemote => SingleLabel.ForwardRemote,
        Labels.ForwardDynamic => SingleLabel.ForwardDynamic,
        _ => [label],
    };

    [InlineArray(Capacity)]
    private struct Items
    {
        private string _element;
    }

    // Read-only once made: verdicts share them (nothing writes to a verdict's labels).
    private static class SingleLabel
    {
        public static readonly string[] Interactive = [Labels.Interactive];
        public static readonly string[] Exec = [Labels.Exec];
        public static readonly string[] FileTransfer = [Labels.FileTransfer];
        public static readonly string[] ForwardLocal = [Labels.ForwardLocal];
        public static readonly string[] ForwardRemote = [Labels.ForwardRemote];
        public static readonly string[] ForwardDynamic = [Labels.ForwardDynamic];
    }
}
