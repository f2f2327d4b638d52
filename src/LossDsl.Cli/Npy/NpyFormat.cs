namespace LossDsl.Cli.Npy;

/// <summary>The fixed parts of the .npy format (numpy's NEP 1): the magic string and the preamble sizes.</summary>
internal static class NpyFormat
{
    /// <summary><c>\x93NUMPY</c>: the first six bytes of every .npy file.</summary>
    public static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Magic, two version bytes and the header length: a 2-byte length in version 1.0, 4 bytes from 2.0 on.</summary>
    public static int PreambleLength(int majorVersion) => Magic.Length + 2 + (majorVersion == 1 ? 2 : 4);

    /// <summary>numpy aligns the data to this many bytes by padding the header with spaces.</summary>
    public const int Alignment = 64;
}
