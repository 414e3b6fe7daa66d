using SharpFuzz;
using TunnelGuard.Fuzz;
using TunnelGuard.Fuzz.Targets;

// Modes:
//   TunnelGuard.Fuzz afl TARGET              run under afl-fuzz (SharpFuzz fork server; input on stdin)
//   TunnelGuard.Fuzz replay TARGET PATH...   run files (or every file in folders) once each, print what escapes
//   TunnelGuard.Fuzz seed PCAPDIR OUTDIR [RULES...]  write the seed corpus of every target from capture files,
//                                                     and the rules target's from rule files and Markdown yaml blocks
IFuzzTarget[] targets = [new DecoderTarget(), new ReassemblyTarget(), new PipelineTarget(), new SshParserTarget(), new ReaderTarget(), new RulesTarget()];

if (args.Length >= 3 && args[0] == "seed")
{
    return SeedWriter.Write(args[1], args[2], args[3..]);
}

var target = args.Length >= 2 ? Array.Find(targets, t => t.Name == args[1]) : null;
if (target is null)
{
    Console.Error.WriteLine($"usage: TunnelGuard.Fuzz afl|replay TARGET [PATH...] | seed PCAPDIR OUTDIR [RULES...]; targets: {string.Join(", ", Array.ConvertAll(targets, t => t.Name))}");
    return 2;
}

switch (args[0])
{
    case "afl":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            Budget.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    case "replay":
        return Replay.Run(target, args[2..]);
    default:
        Console.Error.WriteLine($"unknown mode {args[0]}");
        return 2;
}
