using ConfigDriven;
using LossDsl;
using static TorchSharp.torch;

// Usage: ConfigDriven [config.json]   (default: loss.json beside the program)
// Exit codes: 0 the loss ran, 1 the loss text has errors, 2 the config file is wrong.
var path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "loss.json");

LossConfig config;
LossOptions options;
try
{
    config = LossConfig.Load(path);
    options = config.ToOptions();
}
catch (InvalidConfigException e)
{
    Console.Error.WriteLine($"{path}: {e.Message}");
    return 2;
}

CompiledLoss loss;
try
{
    // The same compiler as [Loss("...")]: the same checks, the same kernels, the same numbers.
    loss = LossCompiler.Compile(config.Loss, options with { Name = Path.GetFileName(path) });
}
catch (LossCompileException e)
{
    Console.Error.WriteLine($"{path}: the loss \"{config.Loss}\" has errors:");
    DiagnosticWriter.Write(e.Text, e.Diagnostics, Console.Error);
    return 1;
}

DiagnosticWriter.Write(config.Loss, loss.Warnings, Console.Error);

manual_seed(0);
var (pred, target) = SyntheticBatch.Create(options);
Console.WriteLine($"loss   {loss.Source}");
Console.WriteLine($"batch  pred [{string.Join(", ", pred.shape)}] {config.Input}, target [{string.Join(", ", target.shape)}] {config.Target}");

using var terms = loss.Terms(pred, target);
foreach (var (name, value) in terms.ToNumbers())
{
    Console.WriteLine($"  {name,-6} = {value:F6}");
}

return 0;
