#include "export/pickle_writer.h"

#include <stdexcept>

namespace distill::exporting {

PickleWriter::PickleWriter() {
    op('\x80');  // PROTO
    op('\x02');
}

void PickleWriter::little_endian(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void PickleWriter::string(std::string_view utf8) {
    op('X');
    little_endian(utf8.size(), 4);
    out_.append(utf8);
}

void PickleWriter::integer(std::int32_t value) {
    if (value >= 0 && value < 0x100) {
        op('K');
        little_endian(std::uint32_t(value), 1);
    } else if (value >= 0 && value < 0x10000) {
        op('M');
        little_endian(std::uint32_t(value), 2);
    } else {
        op('J');
        little_endian(static_cast<std::uint32_t>(value), 4);
    }
}

void PickleWriter::global(std::string_view module, std::string_view name) {
    const std::string key = std::string(module) + '\n' + std::string(name);
    if (const auto it = memo_.find(key); it != memo_.end()) {
        op('h');  // BINGET
        little_endian(it->second, 1);
        return;
    }
    const auto slot = static_cast<std::uint32_t>(memo_.size());
    if (slot >= 0x100) throw std::logic_error("PickleWriter: more than 256 distinct globals");
    op('c');
    out_.append(key);
    out_.push_back('\n');
    op('q');  // BINPUT
    little_endian(slot, 1);
    memo_.emplace(key, slot);
}

}  // namespace distill::exporting
