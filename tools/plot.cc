#include "tools/plot.h"

// Through the cairo/ prefix: //third_party:cairo's -I/usr/include/cairo reaches only its
// own compile actions (copts do not propagate), and cairo.h's own includes are relative.
#include <cairo/cairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"

namespace nmt::tools {
namespace {

constexpr char kFontFamily[] = "DejaVu Sans";

// Owning handles so every early return releases cairo objects.
struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Context = std::unique_ptr<cairo_t, ContextDeleter>;

struct Canvas {
  Surface surface;
  Context cr;
};

// A white RGB image of the given size.
Canvas NewCanvas(int width, int height) {
  Canvas canvas;
  canvas.surface.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  canvas.cr.reset(cairo_create(canvas.surface.get()));
  cairo_set_source_rgb(canvas.cr.get(), 1, 1, 1);
  cairo_paint(canvas.cr.get());
  return canvas;
}

void SetFont(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double TextWidth(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

// Draws `text` with its left end at x (or centred on x / right end at x) and its vertical
// middle at y, so labels line up with cell and tick centres.
enum class Align { kLeft, kCentre, kRight };
void DrawText(cairo_t* cr, const std::string& text, double x, double y, Align align) {
  cairo_font_extents_t font;
  cairo_font_extents(cr, &font);
  const double width = TextWidth(cr, text);
  const double left = align == Align::kLeft ? x : align == Align::kCentre ? x - width / 2 : x - width;
  cairo_move_to(cr, left, y + (font.ascent - font.descent) / 2);
  cairo_show_text(cr, text.c_str());
}

// Like DrawText but rotated 90 degrees counter-clockwise (reading upwards), anchored so
// that the text's end (kRight) or middle (kCentre) sits at (x, y).
void DrawVerticalText(cairo_t* cr, const std::string& text, double x, double y, Align align) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -M_PI / 2);
  DrawText(cr, text, 0, 0, align);
  cairo_restore(cr);
}

absl::Status WritePng(cairo_surface_t* surface, const std::string& path) {
  cairo_surface_flush(surface);
  const cairo_status_t status = cairo_surface_write_to_png(surface, path.c_str());
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat(path, ": cannot write PNG (", cairo_status_to_string(status), ")"));
  }
  return absl::OkStatus();
}

double MaxTextWidth(cairo_t* cr, absl::Span<const std::string> texts) {
  double widest = 0;
  for (const std::string& text : texts) widest = std::max(widest, TextWidth(cr, text));
  return widest;
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `target` ticks.
double NiceStep(double range, int target) {
  const double raw = range / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double multiple : {1.0, 2.0, 5.0}) {
    if (raw <= multiple * power) return multiple * power;
  }
  return 10 * power;
}

std::string TickLabel(double value, double step) {
  return step >= 1 ? absl::StrFormat("%.0f", value) : absl::StrFormat("%g", value);
}

// Colour-blind-safe line colours (Okabe-Ito), cycled per curve.
constexpr double kCurveColours[][3] = {{0.00, 0.45, 0.70}, {0.84, 0.37, 0.00}, {0.00, 0.62, 0.45},
                                       {0.80, 0.47, 0.65}, {0.34, 0.71, 0.91}, {0.90, 0.62, 0.00}};

// Marker shapes cycled per curve, so curves stay apart in grayscale prints too.
void DrawMarker(cairo_t* cr, int shape, double x, double y, double r) {
  cairo_new_path(cr);  // show_text and strokes may leave a current point behind
  switch (shape % 3) {
    case 0:
      cairo_arc(cr, x, y, r, 0, 2 * M_PI);
      break;
    case 1:
      cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r);
      break;
    default:
      cairo_move_to(cr, x, y - r * 1.2);
      cairo_line_to(cr, x + r * 1.1, y + r * 0.8);
      cairo_line_to(cr, x - r * 1.1, y + r * 0.8);
      cairo_close_path(cr);
  }
  cairo_fill(cr);
}

}  // namespace

HeatmapLayout ComputeHeatmapLayout(absl::Span<const std::string> source_tokens,
                                   absl::Span<const std::string> target_tokens, const HeatmapOptions& options) {
  // Measure labels on a scratch surface: margins depend on the longest word.
  Canvas scratch = NewCanvas(1, 1);
  SetFont(scratch.cr.get(), options.font_size);
  const int gap = options.cell_size / 4;  // between labels and the grid
  HeatmapLayout layout;
  layout.cell_size = options.cell_size;
  layout.grid_left = options.margin + static_cast<int>(std::ceil(MaxTextWidth(scratch.cr.get(), target_tokens))) + gap;
  layout.grid_top = options.margin + static_cast<int>(std::ceil(MaxTextWidth(scratch.cr.get(), source_tokens))) + gap;
  layout.width = layout.grid_left + options.cell_size * static_cast<int>(source_tokens.size()) + options.margin;
  layout.height = layout.grid_top + options.cell_size * static_cast<int>(target_tokens.size()) + options.margin;
  return layout;
}

absl::Status WriteAttentionHeatmap(const std::string& path, absl::Span<const std::string> source_tokens,
                                   absl::Span<const std::string> target_tokens, absl::Span<const float> alpha,
                                   const HeatmapOptions& options) {
  const size_t tx = source_tokens.size();
  const size_t ty = target_tokens.size();
  if (tx == 0 || ty == 0) {
    return absl::InvalidArgumentError("WriteAttentionHeatmap: no source or target tokens");
  }
  if (alpha.size() != tx * ty) {
    return absl::InvalidArgumentError(
        absl::StrFormat("WriteAttentionHeatmap: alpha has %d values, expected T_y x T_x = %d x %d = %d", alpha.size(),
                        ty, tx, tx * ty));
  }
  const HeatmapLayout layout = ComputeHeatmapLayout(source_tokens, target_tokens, options);
  Canvas canvas = NewCanvas(layout.width, layout.height);
  cairo_t* cr = canvas.cr.get();
  const double cell = layout.cell_size;

  // Cells: crisp edges, exact grays, so alpha = 1 is pure white and 0 pure black.
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  for (size_t i = 0; i < ty; ++i) {
    for (size_t j = 0; j < tx; ++j) {
      const double value = std::clamp(static_cast<double>(alpha[i * tx + j]), 0.0, 1.0);
      cairo_set_source_rgb(cr, value, value, value);
      cairo_rectangle(cr, layout.grid_left + j * cell, layout.grid_top + i * cell, cell, cell);
      cairo_fill(cr);
    }
  }
  // A thin frame so white cells at the edge do not melt into the background.
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, layout.grid_left - 0.5, layout.grid_top - 0.5, tx * cell + 1, ty * cell + 1);
  cairo_stroke(cr);

  const double gap = options.cell_size / 4.0;
  cairo_set_source_rgb(cr, 0, 0, 0);
  SetFont(cr, options.font_size);
  for (size_t j = 0; j < tx; ++j) {
    DrawVerticalText(cr, source_tokens[j], layout.grid_left + (j + 0.5) * cell, layout.grid_top - gap, Align::kLeft);
  }
  for (size_t i = 0; i < ty; ++i) {
    DrawText(cr, target_tokens[i], layout.grid_left - gap, layout.grid_top + (i + 0.5) * cell, Align::kRight);
  }
  return WritePng(canvas.surface.get(), path);
}

absl::Status WriteLinePlot(const std::string& path, absl::Span<const Curve> curves, const LinePlotOptions& options) {
  double x_min = INFINITY, x_max = -INFINITY, y_max = 0;
  for (const Curve& curve : curves) {
    if (curve.x.size() != curve.y.size()) {
      return absl::InvalidArgumentError(absl::StrFormat("WriteLinePlot: curve '%s' has %d x values but %d y values",
                                                        curve.label, curve.x.size(), curve.y.size()));
    }
    for (size_t k = 0; k < curve.x.size(); ++k) {
      x_min = std::min(x_min, curve.x[k]);
      x_max = std::max(x_max, curve.x[k]);
      y_max = std::max(y_max, curve.y[k]);
    }
  }
  if (!(x_min <= x_max)) return absl::InvalidArgumentError("WriteLinePlot: no points to draw");

  // Axes start at 0 (lengths and BLEU are non-negative) and end on a tick past the data.
  x_min = std::min(0.0, x_min);
  const double x_step = NiceStep(std::max(x_max - x_min, 1.0), 7);
  x_max = x_step * std::ceil((x_max + x_step / 2) / x_step);
  const double y_step = NiceStep(std::max(y_max, 1.0), 6);
  y_max = y_step * std::ceil((y_max + y_step / 4) / y_step);

  Canvas canvas = NewCanvas(options.width, options.height);
  cairo_t* cr = canvas.cr.get();

  // The legend sits right of the plot area, where it can never hide a curve.
  SetFont(cr, 13);
  std::vector<std::string> labels;
  for (const Curve& curve : curves) labels.push_back(curve.label);
  const double row = 20, swatch = 30;
  const double box_w = MaxTextWidth(cr, labels) + swatch + 24;
  const double box_h = row * curves.size() + 10;

  const double left = 70, right = options.width - box_w - 30, top = 50, bottom = options.height - 60;
  const auto px = [&](double x) { return left + (x - x_min) / (x_max - x_min) * (right - left); };
  const auto py = [&](double y) { return bottom - y / y_max * (bottom - top); };

  // Light grid and tick labels.
  SetFont(cr, 13);
  cairo_set_line_width(cr, 1);
  for (double x = x_min; x <= x_max + 1e-9; x += x_step) {
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, std::round(px(x)) + 0.5, top);
    cairo_line_to(cr, std::round(px(x)) + 0.5, bottom);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    DrawText(cr, TickLabel(x, x_step), px(x), bottom + 14, Align::kCentre);
  }
  for (double y = 0; y <= y_max + 1e-9; y += y_step) {
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, left, std::round(py(y)) + 0.5);
    cairo_line_to(cr, right, std::round(py(y)) + 0.5);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    DrawText(cr, TickLabel(y, y_step), left - 8, py(y), Align::kRight);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, left + 0.5, top + 0.5, right - left, bottom - top);
  cairo_stroke(cr);

  // Axis labels and title.
  SetFont(cr, 15);
  DrawText(cr, options.x_label, (left + right) / 2, options.height - 22, Align::kCentre);
  DrawVerticalText(cr, options.y_label, 22, (top + bottom) / 2, Align::kCentre);
  SetFont(cr, 17, /*bold=*/true);
  DrawText(cr, options.title, (left + right) / 2, 24, Align::kCentre);

  // Curves: lines through points in x order, with a marker on each point.
  for (size_t c = 0; c < curves.size(); ++c) {
    const double* rgb = kCurveColours[c % std::size(kCurveColours)];
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 2.5);
    cairo_new_path(cr);  // else the first segment starts where the title text ended
    for (size_t k = 0; k < curves[c].x.size(); ++k) {
      cairo_line_to(cr, px(curves[c].x[k]), py(curves[c].y[k]));
    }
    cairo_stroke(cr);
    for (size_t k = 0; k < curves[c].x.size(); ++k) {
      DrawMarker(cr, static_cast<int>(c), px(curves[c].x[k]), py(curves[c].y[k]), 4.5);
    }
  }

  // Legend: a framed box beside the top of the plot area.
  SetFont(cr, 13);
  const double box_x = right + 15, box_y = top;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, box_x, box_y, box_w, box_h);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  for (size_t c = 0; c < curves.size(); ++c) {
    const double* rgb = kCurveColours[c % std::size(kCurveColours)];
    const double y = box_y + 5 + row * (c + 0.5);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 2.5);
    cairo_move_to(cr, box_x + 8, y);
    cairo_line_to(cr, box_x + 8 + swatch, y);
    cairo_stroke(cr);
    DrawMarker(cr, static_cast<int>(c), box_x + 8 + swatch / 2, y, 4.5);
    cairo_set_source_rgb(cr, 0, 0, 0);
    DrawText(cr, curves[c].label, box_x + 16 + swatch, y, Align::kLeft);
  }
  return WritePng(canvas.surface.get(), path);
}

}  // namespace nmt::tools

// LeakSanitizer (./bazelw test --config=asan): cairo's toy font faces keep fontconfig
// patterns (and fontconfig its parsed configuration) in process-wide caches that are never
// freed, and LSan reports them at exit as leaks in libfontconfig. They are bounded (one per
// font face and configuration), not ours, and so suppressed for every program that draws
// text rather than in each test. Only LSan reads this hook; other builds ignore it.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
