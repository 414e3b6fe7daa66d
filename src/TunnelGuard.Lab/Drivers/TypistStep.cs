namespace TunnelGuard.Lab.Drivers;

/// <summary>One thing the typist does: wait <see cref="Delay"/>, then send <see cref="Keys"/>; after an Enter, wait for the output to settle.</summary>
public readonly record struct TypistStep(TimeSpan Delay, string Keys, bool IsEnter);
