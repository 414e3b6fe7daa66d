using YamlDotNet.RepresentationModel;

namespace TunnelGuard.Rules;

/// <summary>A list under <c>lists:</c>, kept as YAML nodes until a rule uses it and so says what its items are.</summary>
internal sealed record NamedList(string Name, string File, SourcePosition Position, IReadOnlyList<YamlScalarNode> Items);
