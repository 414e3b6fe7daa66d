namespace TunnelGuard.Rules;

/// <summary>Whom a block rule shuts out.</summary>
public enum BlockTarget
{
    Client,
    Server,

    /// <summary>Only traffic between the two addresses.</summary>
    Pair,
}
