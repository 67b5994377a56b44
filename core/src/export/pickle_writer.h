#pragma once
// The few pickle opcodes (protocol 2) that torch.save's data.pkl needs for a
// list of dicts of strings and tensors. Written by hand because libtorch's
// own pickler (torch::pickle_save) adds TorchScript type tags that
// torch.load(weights_only=True) refuses; every opcode here is one that
// PyTorch's weights-only unpickler accepts (torch/_weights_only_unpickler.py).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace distill::exporting {

class PickleWriter {
public:
    PickleWriter();  // starts with PROTO 2

    const std::string& bytes() const { return out_; }

    void empty_list() { op(']'); }
    void empty_dict() { op('}'); }
    void empty_tuple() { op(')'); }
    void mark() { op('('); }
    void appends() { op('e'); }    // list.extend(everything since the mark)
    void setitems() { op('u'); }   // dict.update(pairs since the mark)
    void tuple() { op('t'); }      // tuple of everything since the mark
    void tuple1() { op('\x85'); }
    void reduce() { op('R'); }     // callable(*args)
    void binpersid() { op('Q'); }  // torch.load resolves the id to a storage
    void boolean(bool value) { op(value ? '\x88' : '\x89'); }
    void stop() { op('.'); }

    void string(std::string_view utf8);  // BINUNICODE
    void integer(std::int32_t value);    // the shortest of BININT1, BININT2, BININT
    // GLOBAL "module\nname\n", memoised: later uses of the same global are a
    // two-byte BINGET, as Python's pickler does. At most 256 distinct globals.
    void global(std::string_view module, std::string_view name);

private:
    void op(char code) { out_.push_back(code); }
    void little_endian(std::uint64_t value, int bytes);

    std::string out_;
    std::unordered_map<std::string, std::uint32_t> memo_;  // "module\nname" -> memo slot
};

}  // namespace distill::exporting
