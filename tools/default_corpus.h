// The bundled default corpus is built on first use; a user's own corpus is only looked for.
//
//   absl::Status s = EnsureCorpus(config.data());   // before trainers::Trainer::Create
//
// With the default corpus directory and languages (trainers::DefaultTrainConfig), a
// missing corpus is built from Debian's SWORD packages (datasets/bible_corpus.h), with a
// line on stderr; any other directory without train/dev/test files is NotFound, naming
// the files expected.
#ifndef NMT_TOOLS_DEFAULT_CORPUS_H_
#define NMT_TOOLS_DEFAULT_CORPUS_H_

#include "absl/status/status.h"
#include "trainers/train_config.pb.h"

namespace nmt::tools {

// `data`'s paths must already be resolved (tools/user_path.h).
absl::Status EnsureCorpus(const trainers::DataConfig& data);

}  // namespace nmt::tools

#endif  // NMT_TOOLS_DEFAULT_CORPUS_H_
