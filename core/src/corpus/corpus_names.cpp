// The names of the corpus settings as projects, the CLI and the GUI spell them.
#include <array>
#include <string_view>
#include <utility>

#include "distill/corpus.h"
#include "distill/error.h"

namespace distill {

namespace {

constexpr std::array<std::pair<SourceFormat, std::string_view>, 5> kSourceFormatNames{{
    {SourceFormat::Auto, "auto"},
    {SourceFormat::Jsonl, "jsonl"},
    {SourceFormat::JsonArray, "json"},
    {SourceFormat::Csv, "csv"},
    {SourceFormat::Tsv, "tsv"},
}};

constexpr std::array<std::pair<BadInputPolicy, std::string_view>, 2> kBadInputPolicyNames{{
    {BadInputPolicy::Abort, "abort"},
    {BadInputPolicy::Skip, "skip"},
}};

template <class Table, class Enum>
std::string name_in(const Table& table, Enum value) {
    for (const auto& [entry, name] : table)
        if (entry == value) return std::string(name);
    return "unknown";
}

template <class Table>
auto value_in(const Table& table, const std::string& name, std::string_view what) {
    std::string accepted;
    for (const auto& [value, entry] : table) {
        if (entry == name) return value;
        accepted += (accepted.empty() ? "" : ", ") + std::string(entry);
    }
    throw Error("unknown " + std::string(what) + " \"" + name + "\"; use one of: " + accepted);
}

}  // namespace

std::string to_string(SourceFormat format) { return name_in(kSourceFormatNames, format); }

SourceFormat source_format_from_string(const std::string& name) {
    return value_in(kSourceFormatNames, name, "source format");
}

std::string to_string(BadInputPolicy policy) { return name_in(kBadInputPolicyNames, policy); }

BadInputPolicy bad_input_policy_from_string(const std::string& name) {
    return value_in(kBadInputPolicyNames, name, "bad-input policy");
}

}  // namespace distill
