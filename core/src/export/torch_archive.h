#pragma once
// The zip container of torch.save, written by libtorch's own
// caffe2::serialize::PyTorchStreamWriter: the writer Python's torch.save
// uses, so the layout is PyTorch's by construction (records under
// "archive/", stored uncompressed, each record's data aligned to 64 bytes by
// padding in the local header, the "version" record at the end). Kept
// behind this plain interface so only torch_archive_torch.cpp sees libtorch.
#include <cstddef>
#include <memory>
#include <ostream>
#include <string>

namespace distill::exporting {

class TorchArchiveWriter {
public:
    // Writes to `out` as records come; `path` names the file in errors.
    TorchArchiveWriter(std::ostream& out, std::string path);
    ~TorchArchiveWriter();
    TorchArchiveWriter(const TorchArchiveWriter&) = delete;
    TorchArchiveWriter& operator=(const TorchArchiveWriter&) = delete;

    // "data.pkl", "data/0", ... (the "archive/" prefix is added). Throws
    // distill::Error when the stream fails (a full disk).
    void write_record(const std::string& name, const void* data, std::size_t size);
    // Writes the central directory; the archive is complete after this.
    void finish();

    std::uint64_t bytes_written() const;
    std::string content_hash() const;  // XXH3-128 of the bytes written, 32 hex digits

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace distill::exporting
