#include "tools/plot.h"

#include <cairo/cairo.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nmt::tools {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) { return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name); }

bool HasPngSignature(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof(magic));
  return in && std::string(magic, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

// A PNG read back through cairo, with RGB access.
class Png {
 public:
  explicit Png(const std::string& path) : surface_(cairo_image_surface_create_from_png(path.c_str())) {}
  ~Png() { cairo_surface_destroy(surface_); }
  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }
  // 0xRRGGBB of pixel (x, y).
  uint32_t Rgb(int x, int y) const {
    const unsigned char* row = cairo_image_surface_get_data(surface_) + y * cairo_image_surface_get_stride(surface_);
    return reinterpret_cast<const uint32_t*>(row)[x] & 0xFFFFFF;
  }

 private:
  cairo_surface_t* surface_;
};

const std::vector<std::string> kSource = {"the", "European", "Economic", "Area", "<eos>"};
const std::vector<std::string> kTarget = {"la", "zone", "économique", "européenne", "<eos>"};

TEST(AttentionHeatmapTest, WritesGrayscaleCellsAtComputedLayout) {
  // Identity-like alignment with the paper's reordering of the middle three words.
  std::vector<float> alpha(kTarget.size() * kSource.size(), 0.0f);
  const int source_of_target[] = {0, 3, 2, 1, 4};
  for (size_t i = 0; i < kTarget.size(); ++i) alpha[i * kSource.size() + source_of_target[i]] = 1;
  alpha[0 * kSource.size() + 1] = 0.5f;  // one mid-gray cell

  const std::string path = TempPath("heatmap.png");
  ASSERT_TRUE(WriteAttentionHeatmap(path, kSource, kTarget, alpha).ok());
  ASSERT_TRUE(HasPngSignature(path));
  Png png(path);
  ASSERT_TRUE(png.ok());
  const HeatmapLayout layout = ComputeHeatmapLayout(kSource, kTarget);
  EXPECT_EQ(png.width(), layout.width);
  EXPECT_EQ(png.height(), layout.height);
  EXPECT_EQ(layout.width, layout.grid_left + 5 * layout.cell_size + HeatmapOptions().margin);

  const auto centre = [&](int i, int j) {
    return png.Rgb(layout.grid_left + j * layout.cell_size + layout.cell_size / 2,
                   layout.grid_top + i * layout.cell_size + layout.cell_size / 2);
  };
  EXPECT_EQ(centre(1, 3), 0xFFFFFFu);  // alpha = 1: white
  EXPECT_EQ(centre(1, 1), 0x000000u);  // alpha = 0: black
  const uint32_t gray = centre(0, 1) & 0xFF;
  EXPECT_NEAR(gray, 128, 1);
}

TEST(AttentionHeatmapTest, RejectsMismatchedAlphaAndEmptyTokens) {
  const std::vector<float> alpha(3, 0.0f);
  const absl::Status status = WriteAttentionHeatmap(TempPath("bad.png"), kSource, kTarget, alpha);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("expected T_y x T_x = 5 x 5 = 25"));
  EXPECT_FALSE(WriteAttentionHeatmap(TempPath("bad.png"), {}, kTarget, {}).ok());
}

TEST(AttentionHeatmapTest, ReportsUnwritablePath) {
  const std::vector<float> alpha(25, 0.5f);
  const absl::Status status = WriteAttentionHeatmap("/no/such/dir/heatmap.png", kSource, kTarget, alpha);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("/no/such/dir/heatmap.png"));
}

TEST(LinePlotTest, WritesPngOfRequestedSize) {
  const std::vector<Curve> curves = {{"RNNsearch-50", {5, 15, 25, 35, 45, 55, 65}, {27, 28, 27.5, 27, 26.5, 26, 25}},
                                     {"RNNencdec-50", {5, 15, 25, 35, 45, 55, 65}, {24, 23, 20, 17, 14, 12, 10}}};
  LinePlotOptions options;
  options.width = 640;
  options.height = 400;
  const std::string path = TempPath("line.png");
  ASSERT_TRUE(WriteLinePlot(path, curves, options).ok());
  ASSERT_TRUE(HasPngSignature(path));
  Png png(path);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 640);
  EXPECT_EQ(png.height(), 400);
  EXPECT_EQ(png.Rgb(0, 0), 0xFFFFFFu);  // white background in the corner
}

TEST(LinePlotTest, RejectsBadCurvesAndUnwritablePath) {
  EXPECT_EQ(WriteLinePlot(TempPath("x.png"), {}).code(), absl::StatusCode::kInvalidArgument);
  const std::vector<Curve> ragged = {{"a", {1, 2}, {1}}};
  EXPECT_THAT(WriteLinePlot(TempPath("x.png"), ragged).message(), HasSubstr("2 x values but 1 y values"));
  const std::vector<Curve> ok = {{"a", {1, 2}, {1, 2}}};
  EXPECT_EQ(WriteLinePlot("/no/such/dir/x.png", ok).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace nmt::tools
