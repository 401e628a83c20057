// Translator: raw text in, raw text out, with beam search (or batched greedy
// search for beam 1), the n-best list and the attention of the best hypothesis.
// LoadRun reopens a training run directory (config, vocabularies, parameters).
//
//   absl::StatusOr<std::unique_ptr<LoadedRun>> run = LoadRun("runs/default", context);
//   Translator translator(*(*run)->model, context, *(*run)->src_codec, *(*run)->tgt_codec,
//                         {.beam_size = 5, .length_norm = true});
//   Translation t = translator.Translate("In the beginning God created the heavens.");
//   t.text;        // "En el principio creó Dios los cielos."
//   t.alignment;   // α (T_y × T_x), for tools/plot.h's heatmap
#ifndef NMT_TOOLS_TRANSLATOR_H_
#define NMT_TOOLS_TRANSLATOR_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "autograd/tape.h"
#include "datasets/text_codec.h"
#include "models/model.h"
#include "models/search.h"
#include "trainers/train_config.pb.h"

namespace nmt::tools {

struct Translation {
  std::string text;                       // the best hypothesis, detokenized
  std::vector<int32_t> source_ids;        // EOS included
  std::vector<int32_t> ids;               // the best hypothesis, EOS included if it ended
  Tensor alignment;                       // (ids.size(), source_ids.size()); models with attention only
  std::vector<models::Hypothesis> nbest;  // best first (beam search only)
};

class Translator {
 public:
  Translator(models::Model& model, DeviceContext& context, const datasets::TextCodec& src,
             const datasets::TextCodec& tgt, const models::SearchOptions& options);

  Translation Translate(absl::string_view source) const;
  // In input order. `progress(done)` is called after each batch: greedy search decodes
  // 64 sentences at a time, beam search 16 of similar length (models::BatchBeamSearch).
  std::vector<Translation> TranslateAll(const std::vector<std::string>& sources,
                                        const std::function<void(size_t)>& progress = nullptr) const;
  const datasets::TextCodec& source_codec() const { return src_; }
  const datasets::TextCodec& target_codec() const { return tgt_; }

 private:
  models::Model& model_;
  DeviceContext& context_;
  const datasets::TextCodec& src_;
  const datasets::TextCodec& tgt_;
  models::SearchOptions options_;
};

// A trained model reopened from its run directory, its parameters on the device of the
// context it was loaded for.
struct LoadedRun {
  trainers::TrainConfig config;
  std::unique_ptr<datasets::TextCodec> src_codec;
  std::unique_ptr<datasets::TextCodec> tgt_codec;
  std::unique_ptr<models::Model> model;
};

// Reads config.textproto, the vocabularies and `checkpoint` (default: best.ckpt if
// present, else checkpoint.ckpt) from `run_dir`, and puts the model on `context`'s device.
absl::StatusOr<std::unique_ptr<LoadedRun>> LoadRun(const std::string& run_dir, DeviceContext& context,
                                                   const std::string& checkpoint = "");

}  // namespace nmt::tools

#endif  // NMT_TOOLS_TRANSLATOR_H_
