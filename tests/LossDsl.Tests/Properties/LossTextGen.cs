using System.Collections.Immutable;
using CsCheck;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Properties;

/// <summary>CsCheck generators of loss text: the language's own tokens, edits of valid examples, and signatures.</summary>
internal static class LossTextGen
{
    /// <summary>Every kind of token the lexer knows, with the words and numbers that reach the most parser and binder states.</summary>
    public static ImmutableArray<string> Tokens { get; } = Catalog.AllNames
        .Concat(Catalog.Primitives.SelectMany(p => p.Variants).SelectMany(v => v.Parameters).Select(p => p.Name).Distinct())
        .Concat(ScalarFunctions.Names)
        .Concat(SignatureBinder.RoleNames).Concat(SignatureBinder.KindNames)
        .Concat(["loss", "ignore", "levels", "weights", "resize", "stride", "same", "exp", "two", "true", "false", "auto", "present", "all",
            "N", "C", "H", "W", "x", "_", "Dice", "bce2", "class", "forward", "Terms"])
        .Concat(["0", "1", "2", "3", "11", "255", "0.5", ".5", "1e-6", "1e400", "1e", "1e+", "2x", "1.5.2", "00", "4294967296"])
        .Concat(["+", "-", "*", "/", "(", ")", "[", "]", ",", ":", "=", ";"])
        .Concat(["// comment\n", "\"", "'", "\\", "#", "@", "ß", "\u0000", "\t", "\r\n"])
        .ToImmutableArray();

    /// <summary>Characters for single-character edits: the language's punctuation, letters, digits, foreign ones, and every C# line break.</summary>
    private const string Characters = "+-*/()[],:=;. \n_eE019abdsz\"'\\#ßλ\u0000\u00a0\r\u0085\u2028\u2029";

    private static readonly Gen<string> Separator = Gen.OneOf("", " ", " ", "\n", "  ");

    /// <summary>Up to 40 tokens, glued or separated.</summary>
    public static Gen<string> TokenSequence { get; } =
        Gen.Select(Gen.OneOf([.. Tokens]), Separator).Array[0, 40]
            .Select(parts => string.Concat(parts.Select(p => p.Item1 + p.Item2)));

    public static Gen<TextMutation> Mutation { get; } = Gen.Select(
        Gen.Enum<MutationKind>(),
        Gen.Int[0, 10_000],
        Gen.Int[0, 10_000],
        Gen.OneOf<string>(Gen.OneOf([.. Tokens]), Gen.OneOf([.. Characters]).Select(c => c.ToString())),
        (kind, first, second, insert) => new TextMutation(kind, first, second, insert));

    /// <summary>One to six edits, applied in order; mostly one, so that many edited texts are still valid.</summary>
    public static Gen<TextMutation[]> Mutations { get; } = Gen.Frequency((3, Mutation.Array[1, 1]), (2, Mutation.Array[2, 3]), (1, Mutation.Array[4, 6]));

    /// <summary>Signatures covering every target, input, class count, ignore index and a few spatial ranks and sizes.</summary>
    /// <summary>No map most of the time, else one value per pixel or per element.</summary>
    public static Gen<PixelMap?> PixelMaps { get; } = Gen.Frequency(
        (3, Gen.Const((PixelMap?)null)), (1, Gen.Const((PixelMap?)PixelMap.PerPixel)), (1, Gen.Const((PixelMap?)PixelMap.PerChannel)));

    /// <summary>One prediction most of the time, else side outputs: a static or per-call count, each weighting, each policy, a stride or none.</summary>
    public static Gen<SignatureLevels?> Levels { get; } = Gen.Frequency(
        (3, Gen.Const((SignatureLevels?)null)),
        (2, Gen.Select(
            Gen.OneOf<int?>(null, 1, 2, 4),
            Gen.Enum<LevelWeighting>(),
            Gen.Double[0, 2].Array[1, 4],
            Gen.Enum<ResizePolicy>(),
            Gen.OneOf<int?>(null, null, 2, 3),
            (count, weighting, list, resize, stride) => (SignatureLevels?)new SignatureLevels(
                count,
                weighting,
                weighting == LevelWeighting.List ? list.Take(count ?? list.Length).Concat(Enumerable.Repeat(1.0, Math.Max(0, (count ?? 0) - list.Length))).ToImmutableArray() : ImmutableArray<double>.Empty,
                resize) { Stride = stride })));

    public static Gen<LossSignature> Signature { get; } = Gen.Select(
        Gen.Select(
            Gen.Enum<InputKind>(),
            Gen.Enum<TargetKind>(),
            Gen.Int[1, 4],
            Gen.OneOf<int?>(null, 255, -100),
            Gen.OneOf(LossSignature.DefaultSpatial, ImmutableArray.Create<int?>(null, null, null), ImmutableArray.Create(new int?[] { null }), ImmutableArray.Create<int?>(8, 8), ImmutableArray.Create<int?>(4, null), default),
            (input, target, classes, ignore, spatial) => new LossSignature(
                input, target, target == TargetKind.Labels ? Math.Max(2, classes) : classes, target == TargetKind.Labels ? ignore : null, spatial)),
        PixelMaps,
        PixelMaps,
        Levels,
        (signature, weight, valid, levels) => signature with
        {
            // Labels take one value per pixel; a per-channel map is a mask's.
            PixelWeight = signature.Target == TargetKind.Labels && weight == PixelMap.PerChannel ? PixelMap.PerPixel : weight,
            Valid = signature.Target == TargetKind.Labels && valid == PixelMap.PerChannel ? PixelMap.PerPixel : valid,
            Levels = levels,
        });


    public static string Apply(string text, IEnumerable<TextMutation> mutations) => mutations.Aggregate(text, (t, m) => m.Apply(t));
}
