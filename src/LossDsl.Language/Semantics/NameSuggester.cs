using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Language.Semantics;

/// <summary>"Did you mean": the closest known name by edit distance (adjacent swaps count as one edit).</summary>
internal static class NameSuggester
{
    /// <summary>Returns <c>"; did you mean 'x'?"</c> or an empty string, ready to append to a message.</summary>
    public static string Suffix(string written, IEnumerable<string> candidates) => Suffix(Suggest(written, candidates));

    /// <summary>The message suffix for a suggestion already made (its quick fix replaces the name with it).</summary>
    public static string Suffix(string? suggestion) => suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?";

    public static string? Suggest(string written, IEnumerable<string> candidates)
    {
        // Allow roughly one edit per three characters, at least one: 'ioo' → 'iou', 'focall' → 'focal'.
        var limit = Math.Max(1, written.Length / 3);
        return candidates
            .Select(c => (Name: c, Distance: Distance(written.ToLowerInvariant(), c)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Optimal string alignment distance.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
