#pragma once
// The narrow C interface of libdistill_spm, the module that holds
// sentencepiece. Only plain C types cross it: the module is loaded with
// RTLD_LOCAL | RTLD_DEEPBIND so that sentencepiece's bundled protobuf-lite
// never meets libtorch's protobuf (ARCHITECTURE.md rule 2), and C++ objects
// from two different runtimes' views must not be shared across that line.
#include <stddef.h>
#include <stdint.h>

extern "C" {

typedef struct dspm_processor dspm_processor;

// Bumped whenever a signature below changes; the loader refuses a mismatch.
#define DSPM_ABI_VERSION 1
typedef int (*dspm_abi_version_fn)(void);

// Loads a sentencepiece model file. On failure returns null and writes a
// NUL-terminated reason into `error` (at most error_size bytes).
typedef dspm_processor* (*dspm_load_fn)(const char* path, char* error, size_t error_size);
typedef void (*dspm_free_fn)(dspm_processor*);

// Encodes UTF-8 text into ids. Returns the number of ids the text has; when
// that exceeds `capacity` only `capacity` ids were written and the caller
// retries with a larger buffer. Returns -1 on failure.
typedef int64_t (*dspm_encode_fn)(const dspm_processor*, const char* text, size_t text_size,
                                  int32_t* ids, size_t capacity);
// Decodes ids into UTF-8 text; same size protocol as encode (bytes, no NUL).
typedef int64_t (*dspm_decode_fn)(const dspm_processor*, const int32_t* ids, size_t count,
                                  char* text, size_t capacity);
// The piece of an id, same size protocol; -1 when the id is out of range.
typedef int64_t (*dspm_id_to_piece_fn)(const dspm_processor*, int32_t id, char* piece,
                                       size_t capacity);
// The id of a piece (the unknown id when absent).
typedef int32_t (*dspm_piece_to_id_fn)(const dspm_processor*, const char* piece, size_t size);
typedef int32_t (*dspm_special_id_fn)(const dspm_processor*);  // bos, eos, unk, vocab size

}  // extern "C"
