#pragma once
// Checks for numeric options, used instead of CLI11's own: CLI11 reads "-1"
// into an unsigned option by wrapping it round to 2^64 - 1, and its Range
// validators print their bounds as 300-digit doubles ("Value 0 not in range
// 0.000000 to 1797..."). These read the option's text themselves and say the
// option, what it takes and what was given; CLI11 reports them as usage
// errors (exit 2).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>

namespace distill::cli {

// A whole number in [min, max]: no sign, no fraction, no exponent.
CLI::Validator whole_number_in(std::uint64_t min, std::uint64_t max);

// A whole number of at least `min` that fits the option's type T.
template <class T>
CLI::Validator whole_number(std::uint64_t min) {
    return whole_number_in(min, static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
}

// A real number in [min, max), as a share that cannot be all of the rows.
CLI::Validator fraction_below(double min, double max);

}  // namespace distill::cli
