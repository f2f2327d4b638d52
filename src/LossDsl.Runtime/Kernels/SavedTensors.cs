using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// A node's tensors for its backward pass, some of them absent (no positive weight, no scale, nothing kept): only the
/// present ones are saved, and which those were is saved beside them as data. Each saved tensor costs a native
/// handle to save and another to read back, every step; a placeholder for an absent one cost the same for nothing.
/// </summary>
internal static class SavedTensors
{
    private const string PresentKey = "savedPresent";

    /// <summary>Saves <paramref name="tensors"/> in order, leaving out the nulls.</summary>
    public static void Save(autograd.AutogradContext ctx, params Tensor?[] tensors)
    {
        ctx.save_for_backward(tensors.OfType<Tensor>().ToList());
        ctx.save_data(PresentKey, tensors.Select(tensor => tensor is not null).ToArray());
    }

    /// <summary>What <see cref="Save"/> saved, in the same order, with null where a tensor was absent.</summary>
    public static Tensor?[] Restore(autograd.AutogradContext ctx)
    {
        var saved = ctx.get_saved_variables();
        var present = (bool[])ctx.get_data(PresentKey);
        var tensors = new Tensor?[present.Length];
        var next = 0;
        for (var i = 0; i < present.Length; i++)
        {
            tensors[i] = present[i] ? saved[next++] : null;
        }

        return tensors;
    }
}
