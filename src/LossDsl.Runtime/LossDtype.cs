namespace LossDsl;

/// <summary>
/// The dtype the training loop passes pred in (<see cref="LossAttribute.Dtype"/>, <see cref="LossOptions.Dtype"/>), when
/// declared: the compiler then checks what that dtype cannot hold (LOSS0910: a loss beyond float16's 65,504). Whatever
/// is declared, a float16 or bfloat16 pred is evaluated in float32 and gets its loss back in its own dtype.
/// </summary>
public enum LossDtype
{
    /// <summary>Not declared (the default): nothing is checked.</summary>
    Unspecified = 0,

    /// <summary>IEEE half precision: 11 significant bits, largest value 65,504.</summary>
    Float16 = 1,

    /// <summary>bfloat16: 8 significant bits, float32's range.</summary>
    BFloat16 = 2,

    /// <summary>Single precision, the usual training dtype.</summary>
    Float32 = 3,

    /// <summary>Double precision.</summary>
    Float64 = 4,
}
