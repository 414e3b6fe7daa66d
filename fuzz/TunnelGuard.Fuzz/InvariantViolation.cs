namespace TunnelGuard.Fuzz;

/// <summary>Thrown by a harness when the engine returned without an exception but broke a promise it makes.</summary>
internal sealed class InvariantViolation(string message) : Exception(message)
{
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolation(message);
        }
    }
}
