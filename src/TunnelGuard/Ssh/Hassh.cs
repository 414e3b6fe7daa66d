using System.Security.Cryptography;
using System.Text;

namespace TunnelGuard.Ssh;

/// <summary>HASSH fingerprints: the MD5 of the HASSH string, as lowercase hex (salesforce/hassh).</summary>
public static class Hassh
{
    public static string Compute(string hasshString)
    {
        // MD5 is what the HASSH definition prescribes; it is an identifier here, not a security boundary.
#pragma warning disable CA5351
        var digest = MD5.HashData(Encoding.ASCII.GetBytes(hasshString));
#pragma warning restore CA5351
        return Convert.ToHexStringLower(digest);
    }
}
