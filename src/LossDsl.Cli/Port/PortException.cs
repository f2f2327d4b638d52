using System;
using System.Collections.Generic;
using System.Linq;
namespace LossDsl.Cli.Port;

/// <summary>A peer call <c>lossdsl port</c> cannot translate: unparsable, unknown, or with no LossDsl form; the message says which and why.</summary>
internal sealed class PortException(string message) : Exception(message);
