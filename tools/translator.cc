#include "tools/translator.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "datasets/batch.h"
#include "models/registry.h"
#include "trainers/checkpoint.h"
#include "trainers/run_directory.h"

namespace nmt::tools {
namespace {

// Greedy search batches this many sentences at a time, beam search this many (each
// with up to beam_size rows).
constexpr size_t kGreedyBatch = 64;
constexpr size_t kBeamBatch = 16;

Translation FromHypotheses(std::vector<int32_t> source_ids, std::vector<models::Hypothesis> nbest,
                           const datasets::TextCodec& tgt) {
  Translation t;
  t.source_ids = std::move(source_ids);
  if (!nbest.empty()) {
    t.ids = nbest.front().ids;
    t.alignment = nbest.front().alignment;
    t.text = tgt.Decode(t.ids);
  }
  t.nbest = std::move(nbest);
  return t;
}

}  // namespace

Translator::Translator(models::Model& model, DeviceContext& context, const datasets::TextCodec& src,
                       const datasets::TextCodec& tgt, const models::SearchOptions& options)
    : model_(model), context_(context), src_(src), tgt_(tgt), options_(options) {}

Translation Translator::Translate(absl::string_view source) const {
  std::vector<int32_t> ids = src_.Encode(source);
  if (options_.beam_size <= 1) {
    datasets::Batch batch = datasets::MakeBatch({ids}, {});
    return FromHypotheses(ids, models::GreedySearch(model_, context_, batch, options_), tgt_);
  }
  return FromHypotheses(ids, models::BeamSearch(model_, context_, ids, options_), tgt_);
}

std::vector<Translation> Translator::TranslateAll(const std::vector<std::string>& sources,
                                                  const std::function<void(size_t)>& progress) const {
  std::vector<Translation> out;
  out.reserve(sources.size());
  if (options_.beam_size > 1) {
    // Sentences of similar length share a batch (less padding); each keeps its place in `out`.
    std::vector<std::vector<int32_t>> ids;
    for (const std::string& s : sources) ids.push_back(src_.Encode(s));
    std::vector<size_t> order(sources.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
    out.resize(sources.size());
    for (size_t begin = 0; begin < order.size(); begin += kBeamBatch) {
      const size_t end = std::min(order.size(), begin + kBeamBatch);
      std::vector<std::vector<int32_t>> chunk;
      for (size_t k = begin; k < end; ++k) chunk.push_back(ids[order[k]]);
      std::vector<std::vector<models::Hypothesis>> nbest =
          models::BatchBeamSearch(model_, context_, datasets::MakeBatch(chunk, {}), options_);
      for (size_t k = begin; k < end; ++k) {
        out[order[k]] = FromHypotheses(std::move(chunk[k - begin]), std::move(nbest[k - begin]), tgt_);
      }
      if (progress) progress(end);
    }
    return out;
  }
  for (size_t begin = 0; begin < sources.size(); begin += kGreedyBatch) {
    std::vector<std::vector<int32_t>> ids;
    for (size_t i = begin; i < std::min(sources.size(), begin + kGreedyBatch); ++i)
      ids.push_back(src_.Encode(sources[i]));
    std::vector<models::Hypothesis> best =
        models::GreedySearch(model_, context_, datasets::MakeBatch(ids, {}), options_);
    for (size_t i = 0; i < ids.size(); ++i) out.push_back(FromHypotheses(ids[i], {best[i]}, tgt_));
    if (progress) progress(out.size());
  }
  return out;
}

absl::StatusOr<std::unique_ptr<LoadedRun>> LoadRun(const std::string& run_dir, DeviceContext& context,
                                                   const std::string& checkpoint) {
  auto run = std::make_unique<LoadedRun>();
  const trainers::RunDirectory directory(run_dir);
  absl::StatusOr<trainers::TrainConfig> config = trainers::ReadRunConfig(directory);
  if (!config.ok()) return config.status();
  run->config = *std::move(config);
  absl::StatusOr<trainers::Codecs> codecs = trainers::LoadCodecs(directory, run->config.data());
  if (!codecs.ok()) return codecs.status();
  run->src_codec = std::move(codecs->source);
  run->tgt_codec = std::move(codecs->target);
  absl::StatusOr<std::unique_ptr<models::Model>> model = models::MakeModel(run->config.model());
  if (!model.ok()) return model.status();
  run->model = *std::move(model);
  const std::string path = checkpoint.empty() ? directory.FinalCheckpoint() : checkpoint;
  absl::StatusOr<trainers::Checkpoint> saved = trainers::ReadCheckpoint(path, run->config.model());
  if (!saved.ok()) return saved.status();
  if (absl::Status s = trainers::LoadParameters(*saved, path, run->model->NamedParameters()); !s.ok()) return s;
  run->model->MoveTo(context);
  return run;
}

}  // namespace nmt::tools
