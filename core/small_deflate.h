// Deflate for small inputs whose output is byte-identical to zlib 1.2.13's
// compress2 at level 6 (windowBits 15, memLevel 8, default strategy): the
// zlib stream inside every compatible-mode 007 token. zlib's decisions are
// deterministic (lazy matching over its hash chains, the stored/fixed/dynamic
// choice, its Huffman tie-breaks and length limiting), so this reproduces
// them without zlib's per-stream cost (clearing a 64 KiB hash table on every
// reset), and skips building zlib's Huffman trees when a lower bound on the
// dynamic block's size already proves that zlib picks a fixed or stored one.
// tests/core/small_deflate_test.cc and tests/fuzz/deflate_differential_fuzz.cc
// compare it with the system zlib byte for byte.
#ifndef AGORA_TOKEN_CORE_SMALL_DEFLATE_H_
#define AGORA_TOKEN_CORE_SMALL_DEFLATE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace agora_token {

// The largest input SmallDeflate handles. Up to here zlib keeps the whole
// input in one window (no slide before 32 KiB) and one block (a block ends
// after 16383 symbols), the regime modelled here. It covers every 007
// payload the builders make (under 1 KiB) with a wide margin: the decoder
// takes tokens of at most 8192 characters, about 6 KiB of zlib stream.
inline constexpr size_t kSmallDeflateMaxInput = 8192;

// Appends the zlib stream that zlib's compress2(level 6) produces for
// `input` and returns true; returns false, appending nothing, when `input` is
// longer than kSmallDeflateMaxInput (the caller then uses zlib itself).
bool SmallDeflate(std::string_view input, std::string* out);

// Appends a zlib stream holding `input` in one stored deflate block, with the
// header zlib writes for level 0 and windowBits 9: the same bytes as
// deflate(Z_FINISH) with deflateInit2(Z_NO_COMPRESSION, Z_DEFLATED, 9, 1,
// Z_DEFAULT_STRATEGY), which fast-mode 007 tokens have always carried.
// Returns false, appending nothing, above 65535 bytes (one stored block).
bool StoredDeflate(std::string_view input, std::string* out);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_SMALL_DEFLATE_H_
