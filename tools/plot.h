// PNG figures drawn with cairo: the paper's Figure 3 (attention weights alpha_ij as a
// grayscale heatmap) and Figure 2 (BLEU against sentence length, one curve per model).
//
//   // alpha is row-major T_y x T_x: alpha[i * T_x + j] = weight of source j for target i.
//   absl::Status s = WriteAttentionHeatmap("align.png", {"the", "man", "<eos>"},
//                                          {"l'", "homme", "<eos>"}, alpha);
//   s = WriteLinePlot("fig2.png", {{"RNNsearch-50", {5, 15, 25}, {30.1, 29.8, 28.0}}});
//
// Heatmap conventions follow Fig. 3: 0 is black, 1 is white; source words along x with
// their labels on top, rotated 90 degrees; target words along y, labels on the left.
// Text uses cairo's toy font API with the "DejaVu Sans" family (Debian's default fonts),
// which is enough for labels and keeps the dependency to cairo alone.
#ifndef NMT_TOOLS_PLOT_H_
#define NMT_TOOLS_PLOT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace nmt::tools {

struct HeatmapOptions {
  int cell_size = 28;     // pixels per (target, source) cell
  double font_size = 13;  // label size in pixels
  int margin = 12;        // blank border around everything
};

// Where the heatmap puts things; exposed so callers and tests can locate cells.
struct HeatmapLayout {
  int width = 0;  // image size in pixels
  int height = 0;
  int grid_left = 0;  // top-left corner of cell (0, 0)
  int grid_top = 0;
  int cell_size = 0;
};

// The layout WriteAttentionHeatmap uses for these labels (label extents set the margins).
HeatmapLayout ComputeHeatmapLayout(absl::Span<const std::string> source_tokens,
                                   absl::Span<const std::string> target_tokens, const HeatmapOptions& options = {});

// Writes the heatmap of `alpha` (row-major, target_tokens.size() x source_tokens.size(),
// values clamped to [0, 1]) to `path` as PNG. InvalidArgument on size mismatch or no
// tokens; Internal when cairo cannot write the file.
absl::Status WriteAttentionHeatmap(const std::string& path, absl::Span<const std::string> source_tokens,
                                   absl::Span<const std::string> target_tokens, absl::Span<const float> alpha,
                                   const HeatmapOptions& options = {});

struct Curve {
  std::string label;      // legend entry, e.g. "RNNsearch-50"
  std::vector<double> x;  // e.g. bin centres (sentence length)
  std::vector<double> y;  // e.g. BLEU
};

struct LinePlotOptions {
  std::string title = "BLEU by sentence length";
  std::string x_label = "Sentence length (source words)";
  std::string y_label = "BLEU score";
  int width = 720;  // pixels
  int height = 480;
};

// Writes a line plot with markers, axes, ticks, axis labels, title and a legend.
// InvalidArgument when there is no point to draw or a curve's x and y differ in length;
// Internal when cairo cannot write the file.
absl::Status WriteLinePlot(const std::string& path, absl::Span<const Curve> curves,
                           const LinePlotOptions& options = {});

}  // namespace nmt::tools

#endif  // NMT_TOOLS_PLOT_H_
