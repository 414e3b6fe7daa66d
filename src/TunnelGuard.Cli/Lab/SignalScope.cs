using System.Runtime.InteropServices;

namespace TunnelGuard.Cli.Lab;

/// <summary>Turns SIGINT and SIGTERM into a cancellation, so lab commands get to clean up before they exit.</summary>
internal sealed class SignalScope : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public SignalScope()
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _stop.Dispose();
    }

    private void Cancel(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}
