using System.Text;

namespace TunnelGuard.Classification;

/// <summary>
/// A compact copy of the shape model's trees that <see cref="ShapeModel.Save"/> adds to the model zip beside ML.NET's
/// own entries (which ML.NET's loader ignores): the class names and exactly the numbers
/// <see cref="TreeEnsembleScorer"/> walks. Replay and monitor read it instead of loading the model through ML.NET, whose
/// loader (component catalog reflection, transformer chain, prediction engine) was most of a short replay's start-up.
/// A model without it, or with a version this program does not know, is loaded through ML.NET as before.
/// </summary>
internal static class ShapeTreesEntry
{
    public const string Name = "TunnelGuard/ShapeTrees.bin";

    private const string Magic = "tunnelguard-shape-trees";
    private const int Version = 1;

    public static void Write(Stream stream, IReadOnlyList<string> classes, TreeEnsembleScorer scorer)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(ShapeSample.FeatureCount);
        writer.Write(classes.Count);
        foreach (var name in classes)
        {
            writer.Write(name);
        }

        scorer.WriteTo(writer);
    }

    /// <summary>
    /// The classes and trees, or null for another version of the entry; <see cref="InvalidDataException"/> (saying
    /// what is wrong, not naming the entry) when it is damaged.
    /// </summary>
    public static (string[] Classes, TreeEnsembleScorer Scorer)? Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadString() != Magic)
            {
                throw new InvalidDataException("not a tree entry");
            }

            if (reader.ReadInt32() != Version)
            {
                return null;
            }

            var featureCount = reader.ReadInt32();
            if (featureCount != ShapeSample.FeatureCount)
            {
                throw new InvalidDataException($"{featureCount} features, this program computes {ShapeSample.FeatureCount}");
            }

            var classes = new string[reader.ReadInt32()];
            if (classes.Length is < 2 or > 64)
            {
                throw new InvalidDataException($"{classes.Length} classes");
            }

            for (var i = 0; i < classes.Length; i++)
            {
                classes[i] = reader.ReadString();
            }

            var scorer = TreeEnsembleScorer.ReadFrom(reader, featureCount);
            if (scorer.ClassCount != classes.Length)
            {
                throw new InvalidDataException($"trees for {scorer.ClassCount} of {classes.Length} classes");
            }

            if (stream.ReadByte() >= 0)
            {
                throw new InvalidDataException("bytes after the trees");
            }

            return (classes, scorer);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("cut short", ex);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException(ex.Message, ex);
        }
    }
}
