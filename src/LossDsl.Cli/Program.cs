using System;
using LossDsl.Cli;

return LossDslCommandLine.Run(args, Console.Out, Console.Error);
