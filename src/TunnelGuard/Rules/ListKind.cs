namespace TunnelGuard.Rules;

/// <summary>What a named list holds, decided by where it is used.</summary>
internal enum ListKind
{
    Addresses,
    Software,
    Hassh,
}
