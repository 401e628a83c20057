#include "models/golden.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "autograd/npz.h"
#include "base/status_macros.h"
#include "datasets/special_ids.h"
#include "models/models.h"
#include "models/search.h"

namespace nmt::models {
namespace {

absl::StatusOr<ModelConfig> ConfigOf(const NpzFile& npz) {
  ModelConfig config;
  if (npz.contains("param/attention.W_a")) {
    config.set_kind(ModelConfig::RNNSEARCH);
  } else if (npz.contains("param/V")) {
    config.set_kind(ModelConfig::RNNENCDEC);
  } else {
    return absl::InvalidArgumentError(npz.path() + ": neither param/attention.W_a nor param/V: not a dump-grads file");
  }
  std::vector<int64_t> sizes;
  for (const char* key : {"src_vocab", "tgt_vocab", "m", "n", "n_align", "l"}) {
    NMT_ASSIGN_OR_RETURN(auto v, npz.GetInt64s(absl::StrCat("config/", key)));
    if (v.size() != 1) return absl::InvalidArgumentError(absl::StrCat(npz.path(), ": config/", key, " not a scalar"));
    sizes.push_back(v[0]);
  }
  config.set_src_vocab(sizes[0]);
  config.set_tgt_vocab(sizes[1]);
  config.set_m(sizes[2]);
  config.set_n(sizes[3]);
  config.set_n_align(sizes[4]);
  config.set_l(sizes[5]);
  return config;
}

// Every param/NAME into the model's NAME; every mismatch reported at once.
absl::Status LoadParameters(const NpzFile& npz, Seq2Seq& model) {
  std::vector<std::string> problems;
  int found = 0;
  for (auto& [name, p] : model.NamedParameters()) {
    absl::StatusOr<Tensor> t = npz.GetTensor("param/" + name);
    if (!t.ok()) {
      problems.push_back(absl::StrCat("missing param/", name));
    } else if (t->shape() != p->shape()) {
      problems.push_back(
          absl::StrCat("param/", name, " is ", t->ShapeString(), ", model has ", ShapeString(p->shape())));
    } else {
      p->value().CopyFrom(*t);
      ++found;
    }
  }
  for (const NpyArray& a : npz.arrays()) {
    if (a.name.rfind("param/", 0) == 0) --found;
  }
  if (found != 0 && problems.empty()) problems.push_back("the file has parameters the model does not");
  if (!problems.empty()) return absl::InvalidArgumentError(npz.path() + ": " + absl::StrJoin(problems, "; "));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<int32_t>>> Sentences(const NpzFile& npz, const std::string& key) {
  NMT_ASSIGN_OR_RETURN(const auto* array, npz.Find(key));
  NMT_ASSIGN_OR_RETURN(auto ids, array->ToInt64s());
  if (array->shape.size() != 2) return absl::InvalidArgumentError(npz.path() + ": " + key + " is not (B, T)");
  const int64_t b = array->shape[0], t = array->shape[1];
  std::vector<std::vector<int32_t>> out(b);
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < t && ids[i * t + j] != datasets::kPadId; ++j)
      out[i].push_back(static_cast<int32_t>(ids[i * t + j]));
  }
  return out;
}

}  // namespace

double RelErr(absl::Span<const float> ours, absl::Span<const double> theirs) {
  if (ours.size() != theirs.size()) return INFINITY;
  double err = 0.0, scale = 0.0;
  for (size_t i = 0; i < ours.size(); ++i) {
    err = std::max(err, std::fabs(ours[i] - theirs[i]));
    scale = std::max(scale, std::fabs(theirs[i]));
  }
  return scale > 0.0 ? err / scale : err;
}

double ParityReport::max_rel_err() const {
  double worst = 0.0;
  for (const TensorError& e : errors) worst = std::max(worst, e.rel_err);
  return worst;
}

absl::StatusOr<GoldenModel> LoadGoldenModel(const NpzFile& npz) {
  NMT_ASSIGN_OR_RETURN(auto config, ConfigOf(npz));
  NMT_ASSIGN_OR_RETURN(auto model, MakeModel(config));
  if (absl::Status s = LoadParameters(npz, *model); !s.ok()) return s;
  NMT_ASSIGN_OR_RETURN(auto src, Sentences(npz, "batch/src"));
  NMT_ASSIGN_OR_RETURN(auto tgt, Sentences(npz, "batch/tgt"));
  return GoldenModel{std::move(model), datasets::MakeBatch(src, tgt)};
}

absl::StatusOr<ParityReport> CompareWithGolden(const std::string& path, DeviceContext& context) {
  NMT_ASSIGN_OR_RETURN(auto npz, NpzFile::Read(path));
  NMT_ASSIGN_OR_RETURN(auto golden, LoadGoldenModel(npz));
  std::unique_ptr<Seq2Seq>& model = golden.model;
  const datasets::Batch& batch = golden.batch;
  const ModelConfig& config = model->config();
  NMT_ASSIGN_OR_RETURN(auto src, Sentences(npz, "batch/src"));

  ParityReport report;
  report.model = config.kind() == ModelConfig::RNNSEARCH ? "rnnsearch" : "rnnencdec";
  auto compare = [&](const std::string& key, absl::Span<const float> ours) -> absl::Status {
    NMT_ASSIGN_OR_RETURN(auto theirs, npz.GetDoubles(key));
    report.errors.push_back({key, RelErr(ours, theirs)});
    return absl::OkStatus();
  };
  {
    Tape tape(context);
    TapeScope scope(tape);
    model->ZeroGrad();
    ForwardResult out = model->Forward(batch);
    Backward(out.loss);
    std::vector<std::pair<std::string, Var>> forward = {
        {"loss", out.loss}, {"fwd/s0", out.s0}, {"fwd/logits", out.logits}, {"fwd/nll", out.nll}};
    if (out.alpha.defined()) {
      forward.push_back({"fwd/annotations", out.annotations});
      forward.push_back({"fwd/alpha", out.alpha});
    }
    for (auto& [key, v] : forward) {
      if (absl::Status s = compare(key, v.value().values()); !s.ok()) return s;
    }
    double norm = 0.0;
    for (auto& [name, p] : model->NamedParameters()) {
      for (float g : p->grad().values()) norm += static_cast<double>(g) * g;
      if (absl::Status s = compare("grad/" + name, p->grad().values()); !s.ok()) return s;
    }
    const float grad_norm = static_cast<float>(std::sqrt(norm));
    if (absl::Status s = compare("grad_norm", {&grad_norm, 1}); !s.ok()) return s;
  }

  // Decoding: ids must agree exactly (1 per differing sentence), beam scores to the tolerance.
  const datasets::Batch sources = datasets::MakeBatch(src, {});
  std::vector<Hypothesis> greedy = GreedySearch(*model, context, sources);
  std::vector<Hypothesis> beam;
  for (const auto& sentence : src) beam.push_back(BeamSearch(*model, context, sentence, {.beam_size = 3})[0]);
  for (auto [key, hyps] : {std::pair{"decode/greedy", &greedy}, std::pair{"decode/beam3", &beam}}) {
    NMT_ASSIGN_OR_RETURN(auto expected, Sentences(npz, key));
    double differing = 0.0;
    for (size_t i = 0; i < expected.size(); ++i) differing += (*hyps)[i].ids != expected[i];
    report.errors.push_back({key, differing});
  }
  std::vector<float> scores;
  for (const Hypothesis& h : beam) scores.push_back(static_cast<float>(h.score));
  if (absl::Status s = compare("decode/beam3_score", scores); !s.ok()) return s;
  return report;
}

}  // namespace nmt::models
