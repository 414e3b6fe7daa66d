using TunnelGuard.Ssh;

namespace TunnelGuard.Fuzz.Targets;

/// <summary>
/// <see cref="SshDirectionParser"/> over one direction's stream prefix, fed the way reassembly feeds it: growing by a
/// step each call. Input: one control byte (low 7 bits: step = 1 + 16 × value; high bit: the last call says the
/// prefix is full), then the stream bytes.
/// </summary>
internal sealed class SshParserTarget : IFuzzTarget
{
    public string Name => "ssh";

    public static byte Control(int step, bool full) => (byte)((Math.Clamp((step - 1) / 16, 0, 127)) | (full ? 0x80 : 0));

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var step = 1 + ((input[0] & 0x7F) * 16);
        var fullAtEnd = (input[0] & 0x80) != 0;
        var stream = input[1..];
        var parser = new SshDirectionParser();
        var length = 0;
        do
        {
            length = Math.Min(stream.Length, length + step);
            var full = fullAtEnd && length == stream.Length;
            parser.Parse(stream[..length], full);
            Check(parser, length);
        }
        while (length < stream.Length && !parser.IsFinished);

        parser.EndOfStream();
        Check(parser, stream.Length);
    }

    private static void Check(SshDirectionParser parser, int length)
    {
        InvariantViolation.Check(parser.EncryptedFrom <= length, $"encrypted from {parser.EncryptedFrom} beyond the {length} bytes seen");
        InvariantViolation.Check(parser.State != SshParseState.Encrypted || parser.EncryptedFrom >= 0, "encrypted without an offset");
        if (parser.Identification is { } id)
        {
            // RFC 4253 §4.2: at most 255 bytes including CR LF.
            var textLength = id.ProtoVersion.Length + id.SoftwareVersion.Length + (id.Comments?.Length ?? 0);
            InvariantViolation.Check(textLength <= 255, $"identification of {textLength} characters, longer than any valid line");
        }
    }
}
