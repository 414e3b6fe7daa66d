using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace TunnelGuard.Cli.Monitor;

/// <summary>
/// Builds the monitor's settings from its layers: the configuration file (<c>--config FILE</c>, else
/// <c>/etc/tunnelguard/appsettings.json</c> when it exists), then <c>TUNNELGUARD_</c> environment variables, then the
/// flags given on the command line. Unknown settings and values of the wrong type are errors, named.
/// </summary>
internal static class MonitorConfiguration
{
    public const string SystemFile = "/etc/tunnelguard/appsettings.json";
    public const string EnvironmentPrefix = "TUNNELGUARD_";

    /// <summary>The settings, or null with every problem in <paramref name="errors"/>.</summary>
    public static MonitorSettings? Load(string? configFile, Action<MonitorSettings> flags, out IConfiguration configuration, out List<string> errors)
    {
        errors = [];
        configuration = new ConfigurationBuilder().Build();
        var builder = new ConfigurationBuilder();
        var file = configFile ?? (File.Exists(SystemFile) ? SystemFile : null);
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                errors.Add($"{file}: configuration file not found");
                return null;
            }

            builder.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (InvalidDataException ex)
        {
            errors.Add(JsonError(file, ex));
            return null;
        }

        configuration = root;
        var settings = new MonitorSettings();
        try
        {
            root.GetSection(MonitorSettings.Section).Bind(settings, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{file ?? "configuration"}: {ex.Message}{(ex.InnerException is { } inner ? " " + inner.Message : string.Empty)}");
            return null;
        }

        var unknownSections = root.GetChildren().Select(c => c.Key)
            .Where(key => key != MonitorSettings.Section && key != "Logging")
            .ToList();
        foreach (var key in unknownSections)
        {
            errors.Add($"{file ?? "configuration"}: unknown section '{key}' (expected '{MonitorSettings.Section}' or 'Logging')");
        }

        // Flags last, applied to the bound settings rather than layered as keys, so that "-i eth2" replaces a
        // configured list of interfaces instead of overwriting only its first element.
        flags(settings);
        errors.AddRange(settings.Validate());
        return errors.Count == 0 ? settings : null;
    }

    private static string JsonError(string? file, InvalidDataException ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json)
            {
                return $"{file}:{(json.LineNumber ?? 0) + 1}: not valid JSON: {json.Message}";
            }
        }

        return $"{file}: {ex.InnerException?.Message ?? ex.Message}";
    }
}
