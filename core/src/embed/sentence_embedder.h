#pragma once
// The model-directory Embedder, and the embedding benchmark, behind plain
// C++ declarations: their libtorch code lives in *_torch.cpp files.
#include <memory>
#include <string>

#include "distill/embedder.h"

namespace distill::embed {

// A sentence-transformers directory (SPEC §2): BERT or MPNet, cls / mean /
// max pooling, optional Normalize. Reads and checks every file up front;
// throws distill::Error naming the file at fault.
std::unique_ptr<Embedder> make_sentence_embedder(const std::string& dir, const EmbedOptions& options);

}  // namespace distill::embed
