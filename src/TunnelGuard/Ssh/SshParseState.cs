namespace TunnelGuard.Ssh;

/// <summary>Where the parser of one direction of a connection stands.</summary>
public enum SshParseState
{
    /// <summary>Reading lines until the identification line.</summary>
    Identification,

    /// <summary>Reading cleartext binary packets of the first key exchange.</summary>
    KeyExchange,

    /// <summary>NEWKEYS passed: the rest is encrypted.</summary>
    Encrypted,

    /// <summary>Nothing more to read: SSH-1, a disconnect, or input that could not be parsed (see the problem).</summary>
    Stopped,

    /// <summary>This direction does not speak SSH.</summary>
    NotSsh,
}
