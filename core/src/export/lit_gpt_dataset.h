#pragma once
// train.pt / valid.pt: the list lit-gpt's prepare scripts torch.save, written
// one row at a time. Each row's three tensors go into the archive as soon as
// the row is added; the pickle (which names them) is written last, so memory
// holds the rows' text but never all their tokens.
#include <cstdint>
#include <ostream>
#include <string>

#include "distill/corpus.h"
#include "export/pickle_writer.h"
#include "export/torch_archive.h"

namespace distill {
struct TokenizedRow;
}

namespace distill::exporting {

class LitGptDatasetWriter {
public:
    LitGptDatasetWriter(std::ostream& out, const std::string& path);

    // One dict: the row's fields (strings, in their order), then input_ids,
    // input_ids_no_response and labels, as lit-gpt's {**example, ...} builds it.
    void add(const Record& row, const TokenizedRow& tokens);
    void finish();  // the archive is complete after this

    std::size_t rows() const { return rows_; }
    std::uint64_t bytes_written() const { return archive_.bytes_written(); }
    std::string content_hash() const { return archive_.content_hash(); }

private:
    void tensor(const std::vector<std::int32_t>& values);

    TorchArchiveWriter archive_;
    PickleWriter pickle_;
    std::size_t rows_ = 0;
    std::size_t storages_ = 0;
};

}  // namespace distill::exporting
