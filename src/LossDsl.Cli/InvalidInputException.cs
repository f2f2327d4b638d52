using System;

namespace LossDsl.Cli;

/// <summary>An input file or option combination <c>lossdsl</c> cannot use; the message is shown as is, with exit code 2.</summary>
internal sealed class InvalidInputException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> names the file or option and what is wrong.</summary>
    public InvalidInputException(string message)
        : base(message)
    {
    }
}
