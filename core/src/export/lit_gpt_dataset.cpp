#include "export/lit_gpt_dataset.h"

#include <bit>

#include "distill/export.h"

namespace distill::exporting {

// Storages are written as the machine holds them and the archive says
// "little" in its byteorder record; a big-endian build would need a swap.
static_assert(std::endian::native == std::endian::little, "train.pt storages are written little-endian");

LitGptDatasetWriter::LitGptDatasetWriter(std::ostream& out, const std::string& path) : archive_(out, path) {
    // The pickle of [dict, dict, ...]: the list, then a MARK whose items
    // APPENDS adds at the end.
    pickle_.empty_list();
    pickle_.mark();
}

// What torch.save pickles for a contiguous 1-D int32 CPU tensor of its own
// storage: _rebuild_tensor_v2(storage, offset 0, size (n,), stride (1,),
// requires_grad False, backward_hooks OrderedDict()), the storage being the
// persistent id ("storage", torch.IntStorage, key, "cpu", numel) whose bytes
// are the record data/<key>.
void LitGptDatasetWriter::tensor(const std::vector<std::int32_t>& values) {
    const std::string key = std::to_string(storages_++);
    archive_.write_record("data/" + key, values.data(), values.size() * sizeof(std::int32_t));

    const auto numel = static_cast<std::int32_t>(values.size());
    pickle_.global("torch._utils", "_rebuild_tensor_v2");
    pickle_.mark();
    {
        pickle_.mark();
        pickle_.string("storage");
        pickle_.global("torch", "IntStorage");
        pickle_.string(key);
        pickle_.string("cpu");
        pickle_.integer(numel);
        pickle_.tuple();
        pickle_.binpersid();
    }
    pickle_.integer(0);
    pickle_.integer(numel);
    pickle_.tuple1();
    pickle_.integer(1);
    pickle_.tuple1();
    pickle_.boolean(false);
    pickle_.global("collections", "OrderedDict");
    pickle_.empty_tuple();
    pickle_.reduce();
    pickle_.tuple();
    pickle_.reduce();
}

void LitGptDatasetWriter::add(const Record& row, const TokenizedRow& tokens) {
    pickle_.empty_dict();
    pickle_.mark();
    for (const auto& [key, value] : row.items()) {
        pickle_.string(key);
        pickle_.string(value.get_ref<const std::string&>());
    }
    pickle_.string("input_ids");
    tensor(tokens.input_ids);
    pickle_.string("input_ids_no_response");
    tensor(tokens.input_ids_no_response);
    pickle_.string("labels");
    tensor(tokens.labels);
    pickle_.setitems();
    ++rows_;
}

void LitGptDatasetWriter::finish() {
    pickle_.appends();
    pickle_.stop();
    const std::string& pkl = pickle_.bytes();
    archive_.write_record("data.pkl", pkl.data(), pkl.size());
    static constexpr char kByteOrder[] = "little";
    archive_.write_record("byteorder", kByteOrder, sizeof kByteOrder - 1);
    archive_.finish();
}

}  // namespace distill::exporting
