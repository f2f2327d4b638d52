using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>Checks the inputs of a loss and brings the target into the form the kernels read.</summary>
public static class Inputs
{
    /// <summary>
    /// A mask target: same shape as <paramref name="pred"/> ([N, C, *spatial]), on the same device; returned in pred's
    /// floating dtype (an integer or boolean {0, 1} mask is accepted and converted).
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="pred">The prediction.</param>
    /// <param name="target">The mask.</param>
    /// <param name="classes">The declared static C, or null when any C is accepted.</param>
    public static Tensor Mask(string loss, Tensor pred, Tensor target, int? classes)
    {
        if (pred.dim() < 2)
        {
            throw new ArgumentException($"{loss}: pred must have shape [N, C, *spatial], got {Shape(pred)}.", nameof(pred));
        }

        if (!pred.is_floating_point())
        {
            throw new ArgumentException($"{loss}: pred must be a floating-point tensor, got {pred.dtype}.", nameof(pred));
        }

        if (classes is { } c && pred.shape[1] != c)
        {
            throw new ArgumentException($"{loss}: pred must have {c} channel(s) in dim 1 (declared [N, {c}, ...]), got {Shape(pred)}.", nameof(pred));
        }

        if (!pred.shape.SequenceEqual(target.shape))
        {
            throw new ArgumentException($"{loss}: target mask must have pred's shape {Shape(pred)}, got {Shape(target)}.", nameof(target));
        }

        if (pred.device_type != target.device_type || pred.device_index != target.device_index)
        {
            throw new ArgumentException($"{loss}: pred is on {pred.device} but target is on {target.device}; move both to one device.", nameof(target));
        }

        return target.dtype == pred.dtype ? target : target.to_type(pred.dtype);
    }

    internal static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
