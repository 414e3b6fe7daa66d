using TunnelGuard.Classification;
using TunnelGuard.Reporting;

namespace TunnelGuard.Cli.Classify;

/// <summary>
/// A classifier that is still loading on a pool thread, so replay reads and decodes meanwhile (the first judgement
/// comes only after half a second of encrypted traffic). The shipped model loads from its compact tree entry in a few
/// milliseconds; a model without one goes through ML.NET's loader (mostly reflection), which takes about as long as
/// replaying a few hundred thousand packets. <see cref="Loaded"/> waits for it and throws the load's
/// <see cref="InvalidDataException"/> if it failed.
/// </summary>
internal sealed class DeferredClassifier : IShapeClassifier
{
    private readonly Task<IShapeClassifier> _loading;
    private readonly bool _threadSafe;

    /// <param name="load">Makes the classifier, on a pool thread.</param>
    /// <param name="threadSafe">Whether what <paramref name="load"/> returns is <see cref="IShapeClassifier.IsThreadSafe"/>.</param>
    public DeferredClassifier(Func<IShapeClassifier> load, bool threadSafe = false)
    {
        _threadSafe = threadSafe;
        _loading = Task.Run(load);
    }

    public IShapeClassifier Loaded => _loading.GetAwaiter().GetResult();

    public Verdict? Classify(ShapeFeatures features, bool final) => Loaded.Classify(features, final);

    /// <summary>As the maker said, so that it is known without waiting for the load.</summary>
    public bool IsThreadSafe => _threadSafe;
}
