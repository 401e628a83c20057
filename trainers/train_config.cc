#include "trainers/train_config.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "models/registry.h"
#include "ops/backend.h"
#include "trainers/optimizer_checkpoint.h"

namespace nmt::trainers {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::TextFormat;

// Collects the parser's complaints as "name:line:column: message".
class ErrorList : public google::protobuf::io::ErrorCollector {
 public:
  explicit ErrorList(absl::string_view name) : name_(name) {}
  void AddError(int line, int column, const std::string& message) override {
    errors_.push_back(absl::StrCat(name_, ":", line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int line, int column, const std::string& message) override { AddError(line, column, message); }
  std::string Joined() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::string name_;
  std::vector<std::string> errors_;
};

absl::StatusOr<TrainConfig> Parse(absl::string_view text, absl::string_view name, TextFormat::ParseInfoTree* tree) {
  TrainConfig config;
  ErrorList errors(name);
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(tree);
  if (!parser.ParseFromString(std::string(text), &config)) {
    const std::string joined = errors.Joined();
    return absl::InvalidArgumentError(joined.empty() ? absl::StrCat(name, ": not a TrainConfig in text format")
                                                     : joined);
  }
  return config;
}

// Copies into `to` every field of `from` that the parse tree says the text set.
void MergePresent(const Message& from, const TextFormat::ParseInfoTree& tree, Message& to) {
  const Reflection& in = *from.GetReflection();
  const Reflection& out = *to.GetReflection();
  const google::protobuf::Descriptor& descriptor = *from.GetDescriptor();
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor* field = descriptor.field(i);
    if (field->is_repeated()) {
      if (tree.GetLocation(field, 0).line < 0) continue;
      out.ClearField(&to, field);
      for (int j = 0; j < in.FieldSize(from, field); ++j) {
        // Repeated scalars are not used in TrainConfig; repeated messages are copied whole.
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          out.AddMessage(&to, field)->CopyFrom(in.GetRepeatedMessage(from, field, j));
        }
      }
      continue;
    }
    if (tree.GetLocation(field, -1).line < 0) continue;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        MergePresent(in.GetMessage(from, field), *tree.GetTreeForNested(field, -1), *out.MutableMessage(&to, field));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        out.SetInt32(&to, field, in.GetInt32(from, field));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        out.SetInt64(&to, field, in.GetInt64(from, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        out.SetUInt32(&to, field, in.GetUInt32(from, field));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        out.SetUInt64(&to, field, in.GetUInt64(from, field));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        out.SetDouble(&to, field, in.GetDouble(from, field));
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        out.SetFloat(&to, field, in.GetFloat(from, field));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        out.SetBool(&to, field, in.GetBool(from, field));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        out.SetEnumValue(&to, field, in.GetEnumValue(from, field));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        out.SetString(&to, field, in.GetString(from, field));
        break;
    }
  }
}

// Accumulates "path = value: must be ..." for every field out of range.
class Checker {
 public:
  template <typename T>
  void AtLeast(absl::string_view path, T value, T least, absl::string_view note = "") {
    if (!(value >= least)) Fail(path, value, absl::StrCat("must be >= ", least, note));
  }
  template <typename T>
  void Positive(absl::string_view path, T value, absl::string_view note = "") {
    if (!(value > 0)) Fail(path, value, absl::StrCat("must be > 0", note));
  }
  void NonEmpty(absl::string_view path, const std::string& value) {
    if (value.empty()) errors_.push_back(absl::StrCat(path, " is empty: must be set"));
  }
  void Add(absl::Status status, absl::string_view path) {
    if (!status.ok()) errors_.push_back(absl::StrCat(path, ": ", status.message()));
  }
  // A rate or probability in [0, 1).
  void Probability(absl::string_view path, float value) {
    if (!(value >= 0.0f && value < 1.0f)) Fail(path, value, "must be in [0, 1) (0: off)");
  }
  template <typename T>
  void Fail(absl::string_view path, T value, absl::string_view rule) {
    errors_.push_back(absl::StrCat(path, " = ", value, ": ", rule));
  }
  absl::Status Result() const {
    if (errors_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("invalid configuration: ", absl::StrJoin(errors_, "; ")));
  }

 private:
  std::vector<std::string> errors_;
};

void CheckData(const DataConfig& d, Checker& check) {
  if (d.vocabulary() != DataConfig::WORDS && d.vocabulary() != DataConfig::SUBWORDS) {
    check.Fail("data.vocabulary", DataConfig::Vocabulary_Name(d.vocabulary()), "must be WORDS or SUBWORDS");
  }
  // SentencePiece needs room for its specials and a few pieces; a shortlist needs one word.
  const int32_t least = d.vocabulary() == DataConfig::SUBWORDS ? 16 : 1;
  const std::string note = " (0: chosen from the training corpus)";
  if (d.src_vocab_size() != 0) check.AtLeast("data.src_vocab_size", d.src_vocab_size(), least, note);
  if (d.tgt_vocab_size() != 0) check.AtLeast("data.tgt_vocab_size", d.tgt_vocab_size(), least, note);
  check.AtLeast("data.max_length", d.max_length(), 0, " (0: no limit)");
  check.Positive("data.batch_size", d.batch_size());
  check.Positive("data.batches_per_chunk", d.batches_per_chunk());
  check.AtLeast<int64_t>("data.max_target_tokens", d.max_target_tokens(), 0, " (0: batches of batch_size sentences)");
  check.NonEmpty("data.src_lang", d.src_lang());
  check.NonEmpty("data.tgt_lang", d.tgt_lang());
  if (d.corpus_dir().empty() &&
      (d.train_src().empty() || d.train_tgt().empty() || d.dev_src().empty() || d.dev_tgt().empty())) {
    check.NonEmpty("data.corpus_dir (or all of data.train_src/train_tgt/dev_src/dev_tgt)", d.corpus_dir());
  }
}

void CheckModel(const models::ModelConfig& m, Checker& check) {
  if (!models::ModelConfig::Kind_IsValid(m.kind()) || m.kind() == models::ModelConfig::KIND_UNSPECIFIED) {
    check.Fail("model.kind", m.kind(), "must name a model");
  }
  check.AtLeast<int64_t>("model.src_vocab", m.src_vocab(), 0, " (0: from the data)");
  check.AtLeast<int64_t>("model.tgt_vocab", m.tgt_vocab(), 0, " (0: from the data)");
  check.Positive("model.m", m.m());
  check.Positive("model.n", m.n());
  check.Positive("model.n_align", m.n_align());
  check.Positive("model.l", m.l());
  if (m.init() == models::ModelConfig::INIT_NORMAL) check.Positive("model.init_stddev", m.init_stddev());
  if (m.has_dropout()) check.Probability("model.dropout", m.dropout());
  if (m.has_dropout_rnn()) check.Probability("model.dropout_rnn", m.dropout_rnn());
  if (m.has_dropout_src()) check.Probability("model.dropout_src", m.dropout_src());
  if (m.has_dropout_tgt()) check.Probability("model.dropout_tgt", m.dropout_tgt());
}

void CheckSchedule(const TrainConfig& c, Checker& check) {
  check.AtLeast<int64_t>("lr_warmup_steps", c.lr_warmup_steps(), 0, " (0: no warmup)");
  check.AtLeast<int64_t>("lr_decay_inv_sqrt_steps", c.lr_decay_inv_sqrt_steps(), 0, " (0: no decay)");
  check.AtLeast<int64_t>("lr_decay_linear_steps", c.lr_decay_linear_steps(), 0, " (0: no decay)");
  if (c.lr_decay_linear_steps() > 0 && (c.max_steps() <= 0 || c.lr_decay_linear_steps() > c.max_steps())) {
    check.Fail("lr_decay_linear_steps", c.lr_decay_linear_steps(),
               absl::StrCat("must be at most max_steps (", c.max_steps(),
                            "): the linear decay reaches 0 at the step budget's end"));
  }
  const double factor = c.lr_plateau_factor();
  if (factor != 0 && !(factor > 0 && factor < 1)) {
    check.Fail("lr_plateau_factor", factor, "must be in (0, 1) (0: no decay on a plateau)");
  }
  check.AtLeast("lr_plateau_validations", c.lr_plateau_validations(), 0);
  if (factor > 0 && factor < 1) {
    check.Positive("lr_plateau_validations", c.lr_plateau_validations(),
                   " with lr_plateau_factor set (validations without improvement before each decay)");
    check.Positive("validate_every", c.validate_every(),
                   " with lr_plateau_factor set (a plateau is seen at validations)");
  } else if (factor == 0 && c.lr_plateau_validations() > 0) {
    check.Fail("lr_plateau_validations", c.lr_plateau_validations(), "needs lr_plateau_factor in (0, 1)");
  }
}

void CheckValidation(const TrainConfig& c, Checker& check) {
  if (!TrainConfig::ValidMetric_IsValid(c.valid_metric())) {
    check.Fail("valid_metric", c.valid_metric(), "must be LOSS or BLEU");
  }
  check.AtLeast("dev_bleu_sentences", c.dev_bleu_sentences(), 0, " (0: no dev BLEU)");
  if (c.valid_metric() == TrainConfig::BLEU) {
    check.Positive("dev_bleu_sentences", c.dev_bleu_sentences(), " with valid_metric BLEU");
  }
  if (c.has_dev_bleu_beam()) check.Positive("dev_bleu_beam", c.dev_bleu_beam(), " (1: greedy)");
}

void CheckDecoding(const TrainConfig& c, Checker& check) {
  if (!(c.length_penalty() >= 0 && std::isfinite(c.length_penalty()))) {
    check.Fail("length_penalty", c.length_penalty(), "must be >= 0 and finite (0: off)");
  }
  if (!(c.coverage_penalty() >= 0 && std::isfinite(c.coverage_penalty()))) {
    check.Fail("coverage_penalty", c.coverage_penalty(), "must be >= 0 and finite (0: off)");
  }
  if (c.length_penalty() > 0 && c.length_norm()) {
    check.Fail("length_penalty", c.length_penalty(),
               "replaces length_norm, which is on: set length_norm: false (the --length_penalty flag does)");
  }
}

// A multiple of 500 nearest x, within [low, high].
int32_t RoundedWithin(double x, int32_t low, int32_t high) {
  const double rounded = 500.0 * std::round(x / 500.0);
  return static_cast<int32_t>(std::clamp(rounded, static_cast<double>(low), static_cast<double>(high)));
}

std::string FormatRate(float p) { return absl::StrCat(std::round(p * 1000.0f) / 1000.0f); }

}  // namespace

DataFiles ResolveDataFiles(const DataConfig& data) {
  auto pick = [&](const std::string& given, const std::string& split, const std::string& lang) {
    return given.empty() ? absl::StrCat(data.corpus_dir(), "/", split, ".", lang) : given;
  };
  return {pick(data.train_src(), "train", data.src_lang()), pick(data.train_tgt(), "train", data.tgt_lang()),
          pick(data.dev_src(), "dev", data.src_lang()),     pick(data.dev_tgt(), "dev", data.tgt_lang()),
          pick(data.test_src(), "test", data.src_lang()),   pick(data.test_tgt(), "test", data.tgt_lang())};
}

TrainConfig DefaultTrainConfig() {
  TrainConfig c;
  DataConfig& d = *c.mutable_data();
  d.set_corpus_dir("data/bible-en-es");
  d.set_src_lang("en");
  d.set_tgt_lang("es");
  d.set_vocabulary(DataConfig::SUBWORDS);
  // Vocabulary sizes, dropout and label smoothing are left unset: ApplyCorpusDefaults
  // chooses them from the training corpus (8,000 pieces and no regularisation on the
  // Bible corpus of 28k pairs).
  d.set_max_length(50);
  d.set_batch_size(64);
  d.set_batches_per_chunk(20);
  models::ModelConfig& m = *c.mutable_model();
  m.set_kind(models::DefaultModel().kind);
  m.set_m(128);
  m.set_n(256);
  m.set_n_align(256);
  m.set_l(128);
  m.set_seed(1234);
  // 2e-3: over the 15-minute run, dev loss 3.27 vs 3.80 at 1e-3 and test BLEU 18.3 vs 9.8.
  c.mutable_optimizer()->mutable_adam()->set_lr(2e-3);
  c.set_max_grad_norm(1.0);
  // A budget in steps, not minutes, so that the default run ends with the same model (and
  // BLEU) on every machine however loaded: 1,800 steps took 14.5 minutes on an idle 2-core
  // Xeon (1,866 steps in 15 minutes). max_minutes stays available as a safety net.
  c.set_max_steps(1800);
  c.set_max_minutes(0);
  c.set_validate_every(500);
  c.set_patience(0);
  c.set_dev_sentences(500);
  // Dev BLEU is shown beside dev loss (greedy on 200 sentences, a few seconds per
  // validation); keep-best stays by dev loss, which the Bible corpus's recipe was tuned on.
  c.set_dev_bleu_sentences(200);
  c.set_checkpoint_every(500);
  c.set_checkpoint_minutes(5);
  c.set_seed(1234);
  c.set_threads(2);
  c.set_adapt_threads(true);
  c.set_run_dir("runs/default");
  c.set_beam_size(5);
  c.set_length_norm(true);
  c.set_max_len_factor(2.0);
  c.set_heatmaps(4);
  return c;
}

void ApplyPaperPreset(TrainConfig& c) {
  c.mutable_data()->set_vocabulary(DataConfig::WORDS);
  c.mutable_data()->set_src_vocab_size(30000);
  c.mutable_data()->set_tgt_vocab_size(30000);
  c.mutable_data()->set_batch_size(80);
  c.mutable_model()->set_m(620);
  c.mutable_model()->set_n(1000);
  c.mutable_model()->set_n_align(1000);
  c.mutable_model()->set_l(500);
  c.mutable_optimizer()->mutable_adadelta();
  c.set_max_steps(0);
  c.set_max_minutes(0);
  c.set_run_dir("runs/paper");
  // The paper used no dropout and no label smoothing (Appendix B), whatever the corpus.
  models::ModelConfig& m = *c.mutable_model();
  m.set_dropout(0);
  m.set_dropout_rnn(0);
  m.set_dropout_src(0);
  m.set_dropout_tgt(0);
  c.set_label_smoothing(0);
  m.set_output_prior(false);  // Appendix B.1: every bias starts at 0
}

int32_t CorpusVocabularySize(DataConfig::Vocabulary vocabulary, int64_t distinct_words) {
  if (vocabulary == DataConfig::WORDS) return RoundedWithin(distinct_words / 2.0, 1000, 30000);
  return RoundedWithin(distinct_words / 3.0, 1000, 8000);
}

std::string ApplyCorpusDefaults(const CorpusStats& stats, TrainConfig& c) {
  DataConfig& d = *c.mutable_data();
  const bool words = d.vocabulary() == DataConfig::WORDS;
  auto vocabulary = [&](int32_t size, int64_t distinct, int32_t* chosen) {
    if (size != 0) return absl::StrCat(size, " (given)");
    *chosen = CorpusVocabularySize(d.vocabulary(), distinct);
    return absl::StrCat(*chosen, " (", distinct, " distinct words / ", words ? 2 : 3, ")");
  };
  int32_t src = d.src_vocab_size(), tgt = d.tgt_vocab_size();
  const std::string src_text = vocabulary(d.src_vocab_size(), stats.source_words, &src);
  const std::string tgt_text = vocabulary(d.tgt_vocab_size(), stats.target_words, &tgt);
  d.set_src_vocab_size(src);
  d.set_tgt_vocab_size(tgt);

  const bool small = stats.pairs < kSmallCorpusPairs;
  models::ModelConfig& m = *c.mutable_model();
  std::vector<std::string> chosen, given;
  auto rate = [&](const char* name, bool has, float value, float small_value, auto set) {
    if (has) {
      given.push_back(absl::StrCat(name, " ", FormatRate(value)));
      return;
    }
    const float v = small ? small_value : 0.0f;
    set(v);
    chosen.push_back(absl::StrCat(name, " ", FormatRate(v)));
  };
  rate("dropout", m.has_dropout(), m.dropout(), kSmallCorpusDropout, [&](float v) { m.set_dropout(v); });
  rate("dropout_rnn", m.has_dropout_rnn(), m.dropout_rnn(), kSmallCorpusDropoutRnn,
       [&](float v) { m.set_dropout_rnn(v); });
  rate("dropout_src", m.has_dropout_src(), m.dropout_src(), kSmallCorpusWordDropout,
       [&](float v) { m.set_dropout_src(v); });
  rate("dropout_tgt", m.has_dropout_tgt(), m.dropout_tgt(), kSmallCorpusWordDropout,
       [&](float v) { m.set_dropout_tgt(v); });
  rate("label_smoothing", c.has_label_smoothing(), c.label_smoothing(), kSmallCorpusLabelSmoothing,
       [&](float v) { c.set_label_smoothing(v); });

  std::string recipe = absl::StrCat(
      "recipe: ", stats.pairs, " training pairs, ",
      small ? absl::StrCat("a small corpus (< ", kSmallCorpusPairs, " pairs): regularised")
            : absl::StrCat("not a small corpus (>= ", kSmallCorpusPairs, " pairs): no regularisation by default"),
      "; ", words ? "word shortlists" : "SentencePiece vocabularies", " ", src_text, " / ", tgt_text, "\n");
  absl::StrAppend(&recipe,
                  "recipe: ", chosen.empty() ? "" : absl::StrCat(absl::StrJoin(chosen, ", "), " (by corpus size)"),
                  !chosen.empty() && !given.empty() ? "; " : "",
                  given.empty() ? "" : absl::StrCat(absl::StrJoin(given, ", "), " (given)"));
  return recipe;
}

absl::StatusOr<TrainConfig> ParseTrainConfig(absl::string_view text, absl::string_view name) {
  TextFormat::ParseInfoTree tree;
  return Parse(text, name, &tree);
}

absl::Status MergeTrainConfigText(absl::string_view text, absl::string_view name, TrainConfig& config) {
  TextFormat::ParseInfoTree tree;
  absl::StatusOr<TrainConfig> parsed = Parse(text, name, &tree);
  if (!parsed.ok()) return parsed.status();
  MergePresent(*parsed, tree, config);
  return absl::OkStatus();
}

absl::Status ValidateTrainConfig(const TrainConfig& c) {
  Checker check;
  CheckData(c.data(), check);
  CheckModel(c.model(), check);
  if (c.optimizer().kind_case() == OptimizerConfig::KIND_NOT_SET) {
    check.Fail("optimizer", "{}", "must set adadelta, adam or sgd");
  } else {
    check.Add(MakeOptimizer(c.optimizer(), {}).status(), "optimizer");
  }
  check.AtLeast("max_grad_norm", c.max_grad_norm(), 0.0, " (0: no clipping)");
  check.AtLeast<int64_t>("max_steps", c.max_steps(), 0, " (0: no limit)");
  check.AtLeast("max_minutes", c.max_minutes(), 0.0, " (0: no limit)");
  check.AtLeast("max_epochs", c.max_epochs(), 0, " (0: no limit)");
  check.AtLeast("validate_every", c.validate_every(), 0, " (0: never)");
  check.AtLeast("patience", c.patience(), 0, " (0: never stop early)");
  check.AtLeast("dev_sentences", c.dev_sentences(), 0, " (0: all)");
  check.AtLeast("checkpoint_every", c.checkpoint_every(), 0, " (0: only at the end and by time)");
  check.AtLeast("checkpoint_minutes", c.checkpoint_minutes(), 0.0, " (0: by steps only)");
  check.Positive("threads", c.threads());
  check.Add(ParseMatmulPrecision(c.precision(), Device::kCPU).status(), "precision");
  check.NonEmpty("run_dir", c.run_dir());
  check.Positive("beam_size", c.beam_size(), " (1: greedy)");
  check.Positive("max_len_factor", c.max_len_factor());
  check.AtLeast("heatmaps", c.heatmaps(), 0);
  if (c.has_label_smoothing()) check.Probability("label_smoothing", c.label_smoothing());
  if (c.has_max_consecutive_skipped_steps()) {
    check.AtLeast("max_consecutive_skipped_steps", c.max_consecutive_skipped_steps(), 0, " (0: never stop)");
  }
  CheckSchedule(c, check);
  CheckValidation(c, check);
  CheckDecoding(c, check);
  return check.Result();
}

}  // namespace nmt::trainers
