#include "pooled_corpus.h"

#include "distill/error.h"

namespace distill::cli {

void for_each_pooled_record(const std::string& option, const std::string& path, ProgressSink* progress,
                            const std::function<void(Record&&)>& each) {
    SourceSpec spec;
    spec.name = path;
    spec.path = path;
    spec.format = SourceFormat::Jsonl;  // what the corpus stage writes, whatever the name
    try {
        read_source(spec, BadInputPolicy::Abort, each, nullptr, progress);
    } catch (const InputError& e) {
        throw Error(option + " " +
                    located_message(e.path, e.line, e.problem,
                                    "give the pooled corpus the embeddings were made from (the JSONL `distill "
                                    "corpus` writes)"));
    }
}

}  // namespace distill::cli
