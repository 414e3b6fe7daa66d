namespace TunnelGuard.Lab.Drivers;

/// <summary>
/// What a seeded human types into a shell: real commands (some with large output), keystrokes 80–300 ms apart with
/// faster bursts inside familiar words, pauses, typos corrected with Backspace, Enter, and thinking time between
/// commands. The same seed gives the same plan.
/// </summary>
public static class TypistPlan
{
    public const char Backspace = '\x7f';
    public const string Enter = "\r";

    // Short commands and a few with large output (a terminal full of text moves like a download).
    private static readonly string[] Commands =
    [
        "ls", "pwd", "whoami", "date", "uname -a", "id", "echo hello lab", "ls -la /etc/ssh", "df -h", "free -m",
        "uptime", "cat /etc/os-release", "ps aux", "ls -la /usr/bin | head -200", "cat /etc/services",
        "seq 1 3000", "grep -c . /etc/services", "cd /tmp", "ls -l", "env | sort | head -20", "ip -brief addr",
        "head -100 /etc/services", "wc -l /etc/passwd", "history | tail -5",
    ];

    private const string Neighbours = "qwertyuiopasdfghjklzxcvbnm";

    public static IReadOnlyList<TypistStep> Create(int seed, int commands)
    {
        var random = new Random(seed);
        var steps = new List<TypistStep>();
        for (var c = 0; c < commands; c++)
        {
            var command = Commands[random.Next(Commands.Length)];
            var think = TimeSpan.FromMilliseconds(c == 0 ? 600 : random.Next(700, 2_500));
            for (var i = 0; i < command.Length; i++)
            {
                var delay = i == 0 ? think : KeyDelay(random, command, i);
                if (random.NextDouble() < 0.03)
                {
                    // A pause to think in the middle of a line.
                    delay += TimeSpan.FromMilliseconds(random.Next(800, 3_000));
                }

                if (char.IsLetter(command[i]) && random.NextDouble() < 0.04)
                {
                    steps.Add(new TypistStep(delay, Neighbours[random.Next(Neighbours.Length)].ToString(), false));
                    steps.Add(new TypistStep(TimeSpan.FromMilliseconds(random.Next(200, 600)), Backspace.ToString(), false));
                    delay = TimeSpan.FromMilliseconds(random.Next(120, 300));
                }

                steps.Add(new TypistStep(delay, command[i].ToString(), false));
            }

            steps.Add(new TypistStep(KeyDelay(random, command, command.Length), Enter, true));
        }

        steps.Add(new TypistStep(TimeSpan.FromMilliseconds(random.Next(700, 2_000)), "exit", false));
        steps.Add(new TypistStep(TimeSpan.FromMilliseconds(random.Next(100, 250)), Enter, true));
        return steps;
    }

    /// <summary>Delay before key <paramref name="index"/>: log-normal around 150 ms, faster inside a word (a burst), slower after a space or symbol.</summary>
    private static TimeSpan KeyDelay(Random random, string command, int index)
    {
        var previous = command[index - 1];
        var median = char.IsLetter(previous) && index < command.Length && char.IsLetter(command[index]) ? 110.0 : 190.0;
        var normal = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
        var ms = median * Math.Exp(0.35 * normal);
        return TimeSpan.FromMilliseconds(Math.Clamp(ms, 45, 900));
    }
}
