using LossDsl;

namespace Multiclass;

/// <summary>
/// Four classes (0 is background) with a void label 255 that neither term sees. Cross-entropy weighs the rare small
/// class 3 up and the plentiful background down; Dice averages the three object classes, class 3 counting double.
/// </summary>
[Loss("ce(weight: [0.25, 1, 1, 2]) + dice(weight: [0, 1, 1, 2], include_background: false)",
      Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255)]
public sealed partial class SceneLoss;
