using System;

namespace LossDsl.Cli.Npy;

/// <summary>A file that is not a .npy file this reader supports; the message says what is wrong with it.</summary>
internal sealed class NpyFormatException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> names the problem, in lower case, without the file name.</summary>
    public NpyFormatException(string message)
        : base(message)
    {
    }
}
