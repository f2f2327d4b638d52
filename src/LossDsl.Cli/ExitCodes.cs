namespace LossDsl.Cli;

/// <summary>What <c>lossdsl</c> returns to the shell (docs/cli.md lists them).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The loss text has errors; the diagnostics are printed.</summary>
    public const int BadLossText = 1;

    /// <summary>The command line or an input file is wrong; the message names the option or file and the problem.</summary>
    public const int BadInput = 2;

    /// <summary><c>doctor</c>: this platform computes wrong convolution gradients; the output says what to set.</summary>
    public const int PlatformFault = 3;

    /// <summary><c>port</c>: the text is printed, but the numbers differ from the peer's where the output says.</summary>
    public const int NotExact = 4;
}
