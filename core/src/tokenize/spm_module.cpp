// libdistill_spm: sentencepiece behind the C interface of spm_module.h. This
// file is the only one that includes a sentencepiece header.
#include "tokenize/spm_module.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <sentencepiece_processor.h>

#define DSPM_EXPORT extern "C" __attribute__((visibility("default")))

struct dspm_processor {
    sentencepiece::SentencePieceProcessor sp;
};

namespace {

void copy_error(const std::string& message, char* error, size_t error_size) {
    if (!error || error_size == 0) return;
    const size_t n = std::min(message.size(), error_size - 1);
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

int64_t copy_out(const std::string& bytes, char* out, size_t capacity) {
    if (out) std::memcpy(out, bytes.data(), std::min(bytes.size(), capacity));
    return static_cast<int64_t>(bytes.size());
}

}  // namespace

DSPM_EXPORT int dspm_abi_version(void) { return DSPM_ABI_VERSION; }

DSPM_EXPORT dspm_processor* dspm_load(const char* path, char* error, size_t error_size) {
    try {
        auto* p = new dspm_processor;
        const auto status = p->sp.Load(path);
        if (!status.ok()) {
            copy_error(status.ToString(), error, error_size);
            delete p;
            return nullptr;
        }
        return p;
    } catch (const std::exception& e) {
        copy_error(e.what(), error, error_size);
        return nullptr;
    }
}

DSPM_EXPORT void dspm_free(dspm_processor* p) { delete p; }

DSPM_EXPORT int64_t dspm_encode(const dspm_processor* p, const char* text, size_t text_size,
                                int32_t* ids, size_t capacity) {
    try {
        std::vector<int> out;
        if (!p->sp.Encode(std::string_view(text, text_size), &out).ok()) return -1;
        const size_t n = std::min(out.size(), capacity);
        for (size_t i = 0; i < n; ++i) ids[i] = out[i];
        return static_cast<int64_t>(out.size());
    } catch (...) {
        return -1;
    }
}

DSPM_EXPORT int64_t dspm_decode(const dspm_processor* p, const int32_t* ids, size_t count,
                                char* text, size_t capacity) {
    try {
        std::string out;
        if (!p->sp.Decode(std::vector<int>(ids, ids + count), &out).ok()) return -1;
        return copy_out(out, text, capacity);
    } catch (...) {
        return -1;
    }
}

DSPM_EXPORT int64_t dspm_id_to_piece(const dspm_processor* p, int32_t id, char* piece,
                                     size_t capacity) {
    if (id < 0 || id >= p->sp.GetPieceSize()) return -1;
    return copy_out(p->sp.IdToPiece(id), piece, capacity);
}

DSPM_EXPORT int32_t dspm_piece_to_id(const dspm_processor* p, const char* piece, size_t size) {
    return p->sp.PieceToId(std::string_view(piece, size));
}

DSPM_EXPORT int32_t dspm_bos_id(const dspm_processor* p) { return p->sp.bos_id(); }
DSPM_EXPORT int32_t dspm_eos_id(const dspm_processor* p) { return p->sp.eos_id(); }
DSPM_EXPORT int32_t dspm_unk_id(const dspm_processor* p) { return p->sp.unk_id(); }
DSPM_EXPORT int32_t dspm_vocab_size(const dspm_processor* p) { return p->sp.GetPieceSize(); }
