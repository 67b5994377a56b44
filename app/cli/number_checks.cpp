#include "number_checks.h"

#include <charconv>
#include <string>

namespace distill::cli {

CLI::Validator whole_number_in(std::uint64_t min, std::uint64_t max) {
    // Past 2^31 the bound is the type's, and "or more" reads better than its digits.
    const bool open_ended = max >= std::uint64_t(std::numeric_limits<std::int32_t>::max());
    const std::string expected = open_ended
                                     ? "a whole number of " + std::to_string(min) + " or more"
                                     : "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    // What --help shows after the type: "UINT:>=1", "UINT:[3, 512]".
    const std::string range = open_ended ? ">=" + std::to_string(min)
                                         : "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
    return CLI::Validator(
        [min, max, expected](std::string& text) -> std::string {
            std::uint64_t value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (error == std::errc::result_out_of_range || (error == std::errc() && stop == end && value > max))
                return "expected " + expected + "; " + text + " is too large (at most " + std::to_string(max) + ")";
            // CLI11 converts the text itself afterwards, taking "010" for octal 8.
            if (error == std::errc() && stop == end && text.size() > 1 && text[0] == '0')
                return "expected " + expected + "; got " + text + " (write it without leading zeros)";
            if (error != std::errc() || stop != end || value < min)
                return "expected " + expected + "; got " + (text.empty() ? "nothing" : text);
            return {};
        },
        range);
}

CLI::Validator fraction_below(double min, double max) {
    const std::string range = "[" + CLI::detail::to_string(min) + ", " + CLI::detail::to_string(max) + ")";
    const std::string expected = "a number in " + range;
    return CLI::Validator(
        [min, max, expected](std::string& text) -> std::string {
            double value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (error != std::errc() || stop != end || !(value >= min && value < max))
                return "expected " + expected + "; got " + (text.empty() ? "nothing" : text);
            return {};
        },
        range);
}

}  // namespace distill::cli
