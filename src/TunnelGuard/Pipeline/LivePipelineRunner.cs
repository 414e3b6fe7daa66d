using TunnelGuard.Capture;

namespace TunnelGuard.Pipeline;

/// <summary>
/// Feeds live frames from the capture queue into the pipeline on one thread. While the interface is quiet, packet
/// time follows the wall clock once a second so that idle flows still end. On cancellation it stops the capture,
/// drains what was queued and ends every open flow, so nothing seen is left unreported.
/// </summary>
public static class LivePipelineRunner
{
    private static readonly TimeSpan IdleTick = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(LiveCapture capture, PacketPipeline pipeline, TimeProvider time, CancellationToken cancellation)
    {
        var reader = capture.Batches;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                Drain(capture, pipeline);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                tick.CancelAfter(IdleTick);
                try
                {
                    if (!await reader.WaitToReadAsync(tick.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    pipeline.Advance(time.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        finally
        {
            capture.Stop();
            Drain(capture, pipeline);
            pipeline.Complete();
        }
    }

    private static void Drain(LiveCapture capture, PacketPipeline pipeline)
    {
        while (capture.Batches.TryRead(out var batch))
        {
            try
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    pipeline.Process(batch.Packet(i));
                }
            }
            finally
            {
                capture.Return(batch);
            }
        }
    }
}
