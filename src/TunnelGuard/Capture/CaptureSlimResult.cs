namespace TunnelGuard.Capture;

/// <summary>What <see cref="CaptureSlimmer.Slim"/> did to one capture: frames read and cut, captured bytes before and after.</summary>
public readonly record struct CaptureSlimResult(long Frames, long FramesCut, long CapturedBytesIn, long CapturedBytesOut);
