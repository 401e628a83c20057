// Test helpers (testonly): tiny configurations and batches with padding on both
// sides, small enough for finite differences over every parameter.
#ifndef NMT_MODELS_MODEL_TESTING_H_
#define NMT_MODELS_MODEL_TESTING_H_

#include <memory>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "datasets/batch.h"
#include "datasets/special_ids.h"
#include "models/registry.h"

namespace nmt::models {

inline ModelConfig TinyConfig(ModelConfig::Kind kind) {
  ModelConfig config;
  config.set_kind(kind);
  config.set_src_vocab(7);
  config.set_tgt_vocab(6);
  config.set_m(3);
  config.set_n(4);
  config.set_n_align(3);
  config.set_l(2);
  config.set_init(ModelConfig::INIT_NORMAL);
  config.set_init_stddev(0.5f);
  config.set_seed(11);
  return config;
}

// The intermediate a Forward reports under `name`, or an undefined Var.
inline Var Intermediate(const ForwardResult& out, const std::string& name) {
  for (const auto& [key, v] : out.intermediates) {
    if (key == name) return v;
  }
  return Var();
}

// Two sentences of unequal lengths on both sides.
inline datasets::Batch TinyBatch() {
  using datasets::kEosId;
  return datasets::MakeBatch({{3, 5, 6, kEosId}, {4, kEosId}}, {{2, 5, kEosId}, {3, 4, 2, 5, kEosId}});
}

inline std::unique_ptr<Model> TinyModel(ModelConfig::Kind kind) { return *MakeModel(TinyConfig(kind)); }

// Every parameter's gradient by finite differences on the batch loss.
inline ::testing::AssertionResult CheckModelGradients(DeviceContext& context, Model& model,
                                                      const datasets::Batch& batch) {
  GradCheckOptions options;
  options.parameters = model.Parameters();
  return CheckGradients(
      context, [&](absl::Span<const Var>) { return model.Forward(batch).loss; }, {}, options);
}

// Loss of the padded batch minus the mean of the sentences' own losses (0 when padding is inert).
inline double PaddingEffect(DeviceContext& context, Model& model, const std::vector<std::vector<int32_t>>& src,
                            const std::vector<std::vector<int32_t>>& tgt) {
  Tape tape(context);
  TapeScope scope(tape);
  NoGradScope no_grad;
  double singles = 0.0;
  for (size_t i = 0; i < src.size(); ++i)
    singles += model.Forward(datasets::MakeBatch({src[i]}, {tgt[i]})).loss.value().item();
  return model.Forward(datasets::MakeBatch(src, tgt)).loss.value().item() - singles / src.size();
}

}  // namespace nmt::models

#endif  // NMT_MODELS_MODEL_TESTING_H_
