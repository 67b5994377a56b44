#pragma once
// Independent work over many items on several threads, for the stages whose
// items do not depend on each other (tokenizing an export, formatting
// prompts).
#include <cstddef>
#include <functional>

namespace distill {

// The thread count a `threads` option asks for: itself when above 0, else
// usable_cpu_count().
unsigned thread_count(int threads);

// Calls work(i) for every i in [0, count), item i on thread i % threads, and
// returns when all are done; runs on the calling thread when one thread is
// asked for. The first exception (by thread) is rethrown once all threads
// have stopped; a thread that throws leaves its remaining items undone.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& work);

}  // namespace distill
