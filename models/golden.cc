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
#include "google/protobuf/descriptor.h"
#include "models/registry.h"
#include "models/search.h"

namespace nmt::models {
namespace {

// Scalar `key` of the file into `field` of config.
absl::Status SetField(const NpzFile& npz, const std::string& key, const google::protobuf::FieldDescriptor& field,
                      ModelConfig& config) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection& r = *config.GetReflection();
  NMT_ASSIGN_OR_RETURN(const auto* array, npz.Find(key));
  if (NumElements(array->shape) != 1) return absl::InvalidArgumentError(npz.path() + ": " + key + " not a scalar");
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      NMT_ASSIGN_OR_RETURN(auto v, array->ToDoubles());
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        r.SetFloat(&config, &field, static_cast<float>(v[0]));
      } else {
        r.SetDouble(&config, &field, v[0]);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (absl::StatusOr<std::vector<bool>> b = array->ToBools(); b.ok()) {
        r.SetBool(&config, &field, (*b)[0]);
        return absl::OkStatus();
      }
      NMT_ASSIGN_OR_RETURN(auto v, array->ToInt64s());
      r.SetBool(&config, &field, v[0] != 0);
      return absl::OkStatus();
    }
    default:
      break;
  }
  NMT_ASSIGN_OR_RETURN(auto v, array->ToInt64s());
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      r.SetInt32(&config, &field, static_cast<int32_t>(v[0]));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT64:
      r.SetInt64(&config, &field, v[0]);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_UINT32:
      r.SetUInt32(&config, &field, static_cast<uint32_t>(v[0]));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_UINT64:
      r.SetUInt64(&config, &field, static_cast<uint64_t>(v[0]));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM:
      r.SetEnumValue(&config, &field, static_cast<int>(v[0]));
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(npz.path(), ": ", key, ": ModelConfig.", field.name(), " is not a scalar field"));
  }
}

// Every config/NAME scalar of the file, into ModelConfig's field NAME.
absl::StatusOr<ModelConfig> ConfigOf(const NpzFile& npz) {
  ModelConfig config;
  const google::protobuf::Descriptor& descriptor = *config.GetDescriptor();
  for (const NpyArray& a : npz.arrays()) {
    if (a.name.rfind("config/", 0) != 0) continue;
    const std::string name = a.name.substr(std::string("config/").size());
    const google::protobuf::FieldDescriptor* field = descriptor.FindFieldByName(name);
    if (field == nullptr) return absl::InvalidArgumentError(npz.path() + ": " + a.name + ": no such ModelConfig field");
    NMT_RETURN_IF_ERROR(SetField(npz, a.name, *field, config));
  }
  return config;
}

// True when the model's parameters are exactly the file's param/* arrays, by name and shape.
bool HasTheFilesParameters(const NpzFile& npz, const Model& model) {
  size_t count = 0;
  for (const NpyArray& a : npz.arrays()) count += a.name.rfind("param/", 0) == 0;
  const std::vector<layers::NamedParameter> parameters = model.NamedParameters();
  if (parameters.size() != count) return false;
  for (const auto& [name, p] : parameters) {
    absl::StatusOr<const NpyArray*> a = npz.Find("param/" + name);
    if (!a.ok() || (*a)->shape != p->shape()) return false;
  }
  return true;
}

// A file without config/kind: the one registered model that has its parameters.
absl::Status InferKind(const NpzFile& npz, ModelConfig& config) {
  std::vector<const ModelEntry*> matches;
  for (const ModelEntry& entry : RegisteredModels()) {
    ModelConfig candidate = config;
    candidate.set_kind(entry.kind);
    absl::StatusOr<std::unique_ptr<Model>> model = entry.create(candidate);
    if (model.ok() && HasTheFilesParameters(npz, **model)) matches.push_back(&entry);
  }
  if (matches.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(npz.path(), ": no config/kind, and ", matches.size(),
                                                   " registered models have exactly its parameters"));
  }
  config.set_kind(matches[0]->kind);
  return absl::OkStatus();
}

// Every param/NAME into the model's NAME; every mismatch reported at once.
absl::Status LoadParameters(const NpzFile& npz, Model& model) {
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
  if (!npz.contains("config/kind")) NMT_RETURN_IF_ERROR(InferKind(npz, config));
  NMT_ASSIGN_OR_RETURN(auto model, MakeModel(config));
  if (absl::Status s = LoadParameters(npz, *model); !s.ok()) return s;
  NMT_ASSIGN_OR_RETURN(auto src, Sentences(npz, "batch/src"));
  NMT_ASSIGN_OR_RETURN(auto tgt, Sentences(npz, "batch/tgt"));
  return GoldenModel{std::move(model), datasets::MakeBatch(src, tgt)};
}

absl::StatusOr<ParityReport> CompareWithGolden(const std::string& path, DeviceContext& context) {
  NMT_ASSIGN_OR_RETURN(auto npz, NpzFile::Read(path));
  NMT_ASSIGN_OR_RETURN(auto golden, LoadGoldenModel(npz));
  std::unique_ptr<Model>& model = golden.model;
  model->MoveTo(context);
  const datasets::Batch& batch = golden.batch;
  const ModelConfig& config = model->config();
  NMT_ASSIGN_OR_RETURN(auto src, Sentences(npz, "batch/src"));

  ParityReport report;
  report.model = FindModel(config.kind())->name;
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
        {"loss", out.loss}, {"fwd/logits", out.logits}, {"fwd/nll", out.nll}};
    if (out.alpha.defined()) forward.push_back({"fwd/alpha", out.alpha});
    for (auto& [name, v] : out.intermediates) forward.push_back({"fwd/" + name, v});
    for (auto& [key, v] : forward) {
      if (absl::Status s = compare(key, v.value().ToHost().values()); !s.ok()) return s;
    }
    double norm = 0.0;
    for (auto& [name, p] : model->NamedParameters()) {
      const Tensor grad = p->grad().ToHost();
      for (float g : grad.values()) norm += static_cast<double>(g) * g;
      if (absl::Status s = compare("grad/" + name, grad.values()); !s.ok()) return s;
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
