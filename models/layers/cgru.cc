#include "models/layers/cgru.h"

namespace nmt::layers {
namespace {

GruOptions SecondGru(GruOptions options, int64_t annotation_size) {
  options.input_size = annotation_size;
  options.context_size = 0;
  return options;
}

}  // namespace

ConditionalGru::ConditionalGru(const GruOptions& options, int64_t annotation_size, int64_t align_size)
    : gru1_(options),
      attention_(options.hidden_size, annotation_size, align_size),
      gru2_(SecondGru(options, annotation_size)) {
  RegisterModule("gru1", &gru1_);
  RegisterModule("attention", &attention_);
  RegisterModule("gru2", &gru2_);
}

ConditionalGru::Weights ConditionalGru::Stack() const { return {gru1_.Stack(), gru2_.Stack()}; }

Var ConditionalGru::ProjectInputs(const Weights& w, Var y_prev) const { return gru1_.ProjectInputs(w.gru1, y_prev); }

Var ConditionalGru::Keys(Var annotations) const { return attention_.Keys(annotations); }

ConditionalGruOutput ConditionalGru::Step(const Weights& w, Var x_proj, Var s_prev, Var annotations, Var keys,
                                          const Tensor& src_mask, const Tensor* dropout1,
                                          const Tensor* dropout2) const {
  Var s_tilde = gru1_.Step(w.gru1, x_proj, s_prev, nullptr, dropout1);  // s'_i
  AttentionOutput a = attention_.Attend(s_tilde, annotations, keys, src_mask);
  ConditionalGruOutput out;
  out.state = gru2_.Step(w.gru2, gru2_.ProjectInputs(w.gru2, a.context), s_tilde, nullptr, dropout2);
  out.context = a.context;
  out.alpha = a.alpha;
  return out;
}

}  // namespace nmt::layers
