// lit-gpt's prepare_sample, as the reference ran it:
//
//     full_prompt = example["instruction"] + example["input"]
//     encoded_full_prompt = tokenizer.encode(full_prompt, max_length=max_length)
//     encoded_full_prompt_and_response = tokenizer.encode(full_prompt + example["output"],
//                                                         eos=True, max_length=max_length)
//     labels = encoded_full_prompt_and_response.clone()
//     if mask_inputs: labels[: len(encoded_full_prompt)] = ignore_index
//
// The stock script wraps instruction and input in the Alpaca template
// ("Below is an instruction..."); the reference replaced that with plain
// concatenation because the format stage has already rendered the whole
// prompt into instruction + input (SPEC §6: "instruction+input+output").
// The strings are concatenated before tokenizing, not the token lists:
// sentencepiece puts its "▁" word marker only at the start of the text and
// merges pieces across the joins, so encode(a) + encode(b) != encode(a + b).
// That is also why input_ids_no_response is a second encode of the prompt,
// not a prefix of input_ids.
#include <algorithm>

#include "distill/error.h"
#include "distill/export.h"
#include "distill/llm_tokenizer.h"

namespace distill {

TokenizedRow tokenize_row(std::string_view instruction, std::string_view input, std::string_view output,
                          const SentencePieceTokenizer& tokenizer, int max_seq_len, bool mask_inputs) {
    if (max_seq_len <= 0)
        throw Error("max sequence length " + std::to_string(max_seq_len) + " is not positive; pass e.g. 2048");
    std::string text;
    text.reserve(instruction.size() + input.size() + output.size());
    text.append(instruction).append(input);
    TokenizedRow row;
    row.input_ids_no_response = tokenizer.encode(text, /*bos=*/false, /*eos=*/false, max_seq_len);
    text.append(output);
    row.input_ids = tokenizer.encode(text, /*bos=*/false, /*eos=*/true);
    row.full_length = row.input_ids.size();
    if (row.input_ids.size() > std::size_t(max_seq_len)) row.input_ids.resize(std::size_t(max_seq_len));
    row.labels = row.input_ids;
    if (mask_inputs) {
        const std::size_t prompt = std::min(row.input_ids_no_response.size(), row.labels.size());
        std::fill_n(row.labels.begin(), prompt, kIgnoreIndex);
    }
    return row;
}

}  // namespace distill
