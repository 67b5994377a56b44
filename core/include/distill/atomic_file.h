#pragma once
// Every file Distill Studio writes for a user goes through here: the content
// is written to a temporary file beside the target, flushed to disk, and
// renamed over the target only when complete. A crash, a full disk or a
// cancel leaves the previous file untouched and no partial file behind.
#include <functional>
#include <ostream>
#include <string>

namespace distill {

// Calls `write` with a stream on the temporary file; commits when it returns
// and the stream is good. Throws distill::Error (path, reason, fix) on any
// I/O failure; rethrows whatever `write` throws; removes the temp file in
// both cases.
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);

// The first check write_file_atomically makes: the target's folder exists.
// A caller writing several files checks them all with it before starting,
// so the last one cannot fail after the first has been replaced.
void check_output_folder(const std::string& path);

}  // namespace distill
