using System;

namespace BasNetSegmentation.Data;

/// <summary>The outline a <see cref="Shape"/> fills.</summary>
public enum ShapeKind
{
    /// <summary>An ellipse with equal radii.</summary>
    Circle,

    /// <summary>A rotated ellipse.</summary>
    Ellipse,

    /// <summary>A rotated rectangle.</summary>
    Rectangle,
}

/// <summary>
/// One foreground object of a synthetic image: a circle, ellipse or rectangle centred at (<paramref name="CenterX"/>,
/// <paramref name="CenterY"/>) in pixels, with half-extents <paramref name="RadiusX"/> and <paramref name="RadiusY"/>
/// along its own axes, rotated by <paramref name="Angle"/> radians.
/// </summary>
public readonly record struct Shape(ShapeKind Kind, double CenterX, double CenterY, double RadiusX, double RadiusY, double Angle)
{
    /// <summary>Whether the point (x, y), in pixel coordinates, lies inside the shape.</summary>
    public bool Contains(double x, double y)
    {
        // Into the shape's own frame: rotate the offset by -Angle.
        var dx = x - CenterX;
        var dy = y - CenterY;
        var (sin, cos) = Math.SinCos(Angle);
        var u = (dx * cos + dy * sin) / RadiusX;
        var v = (-dx * sin + dy * cos) / RadiusY;
        return Kind == ShapeKind.Rectangle
            ? Math.Abs(u) <= 1 && Math.Abs(v) <= 1
            : u * u + v * v <= 1;
    }
}
