using TunnelGuard.Decoding;
using TunnelGuard.Flows;
using TunnelGuard.Reporting;
using TunnelGuard.Ssh;

namespace TunnelGuard.Cli.Replay;

/// <summary>
/// A replay's first ~50 ms after the runtime started run on one core (the command line, the output, the pipeline),
/// while the other core idles. Things the pipeline and the JSON writer need later are made ready there, on a pool
/// thread, meanwhile: the cryptography library (SHA-1 for every Community ID, MD5 for HASSH: loading OpenSSL is ~12 ms
/// of CPU at its first use, which would otherwise land on a pipeline thread in the middle of the first packets) and the
/// JSON encoder's tables. Results are thrown away; the code that needs them finds them ready or, if it comes first,
/// simply does the same work itself.
/// </summary>
internal static class ReplayWarmUp
{
    public static void Start() => ThreadPool.UnsafeQueueUserWorkItem(static _ => Run(), null);

    private static void Run()
    {
        try
        {
            _ = CommunityId.Compute(IpAddress.FromV4([198, 18, 0, 1]), 1, IpAddress.FromV4([198, 18, 0, 2]), 2);
            _ = Hassh.Compute("warm-up");
            ConnectionJsonWriter.WarmUp();
        }
#pragma warning disable CA1031 // Nothing here matters to the replay; whatever fails will fail again where it is needed.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
