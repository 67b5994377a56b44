#include "export/torch_archive.h"

#include <caffe2/serialize/inline_container.h>

#include "distill/content_hash.h"
#include "distill/error.h"

namespace distill::exporting {

struct TorchArchiveWriter::Impl {
    Impl(std::ostream& out, std::string path)
        : out(out),
          path(std::move(path)),
          // The write function always reports success: a failure it passed on
          // would make the writer throw again from its destructor (which
          // finishes the archive) and end the process. Failures are seen on
          // the stream instead and raised as distill::Error by check().
          writer([this](const void* data, std::size_t size) {
              if (this->out) this->out.write(static_cast<const char*>(data), std::streamsize(size));
              hash.update(data, size);
              written += size;
              return size;
          }) {}

    void check() const {
        if (!out)
            throw Error(path + ": writing failed; is the disk full? The previous export, if any, is untouched");
    }

    std::ostream& out;
    std::string path;
    ContentHasher hash;
    std::uint64_t written = 0;
    caffe2::serialize::PyTorchStreamWriter writer;
};

TorchArchiveWriter::TorchArchiveWriter(std::ostream& out, std::string path)
    : impl_(std::make_unique<Impl>(out, std::move(path))) {}

TorchArchiveWriter::~TorchArchiveWriter() = default;

void TorchArchiveWriter::write_record(const std::string& name, const void* data, std::size_t size) {
    try {
        impl_->writer.writeRecord(name, data, size);
    } catch (const c10::Error& e) {
        throw Error(impl_->path + ": cannot write record " + name + " (" + e.what_without_backtrace() + ")");
    }
    impl_->check();
}

void TorchArchiveWriter::finish() {
    try {
        impl_->writer.writeEndOfFile();
    } catch (const c10::Error& e) {
        throw Error(impl_->path + ": cannot finish the archive (" + e.what_without_backtrace() + ")");
    }
    impl_->check();
}

std::uint64_t TorchArchiveWriter::bytes_written() const { return impl_->written; }

std::string TorchArchiveWriter::content_hash() const { return impl_->hash.hex(); }

}  // namespace distill::exporting
