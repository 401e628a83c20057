// Training configurations: the presets of the main job, config files in text format
// merged over them, the validation every config passes before use, and where a run's
// data files are.
//
//   TrainConfig config = DefaultTrainConfig();          // RNNsearch for ~15 minutes on 2 cores
//   ApplyPaperPreset(config);                           // Appendix A.2 / B sizes and recipe
//   absl::Status s = MergeTrainConfigText(text, "my.textproto", config);   // fields it sets win
//   absl::Status v = ValidateTrainConfig(config);       // field, value and allowed range
//   DataFiles files = ResolveDataFiles(config.data());  // files.test_src, ...
//
// Merging is presence-aware: every field the text sets replaces the base's, zeros and
// empty messages included (`max_grad_norm: 0` means no clipping, not "unset"), which
// proto3's MergeFrom would skip. Repeated fields the text sets replace the base's list.
#ifndef NMT_TRAINERS_TRAIN_CONFIG_H_
#define NMT_TRAINERS_TRAIN_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "trainers/train_config.pb.h"

namespace nmt::trainers {

// The six files of a run: explicit paths win over corpus_dir/{split}.{lang}.
struct DataFiles {
  std::string train_src, train_tgt, dev_src, dev_tgt, test_src, test_tgt;
};
DataFiles ResolveDataFiles(const DataConfig& data);

// The defaults of the main job: RNNsearch sized for ~15 minutes on 2 CPU cores.
TrainConfig DefaultTrainConfig();

// The paper's sizes and recipe over `config` (Appendix A.2.3 and B): n = n' = 1000,
// m = 620, l = 500, 30k word shortlists, Adadelta, batches of 80, no time limit.
void ApplyPaperPreset(TrainConfig& config);

// Parses a TrainConfig in text format. InvalidArgument naming `name`, the line and the
// column for a syntax error, an unknown field or an out-of-range enum value.
absl::StatusOr<TrainConfig> ParseTrainConfig(absl::string_view text, absl::string_view name);

// Parses `text` and sets in `config` every field the text sets (see above).
absl::Status MergeTrainConfigText(absl::string_view text, absl::string_view name, TrainConfig& config);

// Corpus-fitted defaults (trainers/README.md): what the trainer fills in for fields a
// config leaves unset, from the training corpus.
//
// Training pairs below this count are a small corpus: the regularisation below is on.
inline constexpr int64_t kSmallCorpusPairs = 20000;
// A small corpus's defaults (Sennrich & Zhang 2019's low-resource recipe, Nematus' and
// Marian's options); a larger one gets 0 for each.
inline constexpr float kSmallCorpusDropout = 0.3f;      // model.dropout
inline constexpr float kSmallCorpusDropoutRnn = 0.2f;   // model.dropout_rnn
inline constexpr float kSmallCorpusWordDropout = 0.1f;  // model.dropout_src and dropout_tgt
inline constexpr float kSmallCorpusLabelSmoothing = 0.1f;

// What the rule reads of the training corpus.
struct CorpusStats {
  int64_t pairs = 0;
  int64_t source_words = 0;  // distinct whitespace-separated words of the source side
  int64_t target_words = 0;
};

// A side's vocabulary from its distinct words d: SentencePiece pieces d / 3 rounded to
// a multiple of 500, within [1000, 8000] (8,000 on the bundled Bible corpus: 29,749
// English and 50,160 Spanish words); a word shortlist d / 2 rounded likewise, within
// [1000, 30000] (the paper's 30,000).
int32_t CorpusVocabularySize(DataConfig::Vocabulary vocabulary, int64_t distinct_words);

// Sets every field left unset (vocabulary sizes 0, model.dropout*, label_smoothing)
// from `stats`; a value the config sets is kept. Returns the recipe in two lines for
// the start-up report, saying which values the rule chose and why.
std::string ApplyCorpusDefaults(const CorpusStats& stats, TrainConfig& config);

// Every field checked in one place: InvalidArgument with the field's path, the value
// and what is allowed, e.g. "max_grad_norm = -1: must be >= 0 (0: no clipping)". Model
// vocabulary sizes may be 0 (the trainer fills them from the data), and so may the data
// vocabulary sizes (the corpus rule chooses them).
absl::Status ValidateTrainConfig(const TrainConfig& config);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_TRAIN_CONFIG_H_
