// zlib behind the token formats: CRC-32 for 006, and the zlib stream that
// wraps every 007 payload. Token payloads are deflated by core/small_deflate.h,
// byte for byte what zlib writes but without its per-stream setup; zlib
// itself (streams reused per thread, reset rather than re-allocated) only
// takes inputs beyond those, and does all inflating.
#ifndef AGORA_TOKEN_CORE_COMPRESSION_H_
#define AGORA_TOKEN_CORE_COMPRESSION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/token.h"

namespace agora_token {

uint32_t Crc32(std::string_view data);

// Adler-32 (RFC 1950), the checksum that ends a zlib stream. zlib's own is a
// byte loop with a call per stream; this one takes eight bytes a step.
uint32_t Adler32(std::string_view data);

// Appends a zlib stream (RFC 1950) holding `payload` to `out`.
void ZlibCompress(std::string_view payload, Compression mode, std::string* out);

// Inflates one complete zlib stream into `out`, producing at most `limit`
// bytes. Fails with kInvalidArgument on a corrupt stream, a stream longer
// than `limit` when inflated (a decompression bomb), bytes after the stream,
// or non-zero padding bits after the final block (so a changed bit never
// decodes to the same payload).
absl::Status ZlibDecompress(std::string_view stream, size_t limit, std::string* out);

// ZlibDecompress by zlib alone. ZlibDecompress inflates the builders' own
// streams (one final stored or fixed-code block) without zlib, and hands
// everything else to this; tests compare the two.
absl::Status ZlibDecompressReference(std::string_view stream, size_t limit, std::string* out);

// The inflater ZlibDecompress tries before zlib, alone: true with `out`
// filled for a stream it takes (one final stored or fixed-code block that
// passes every check above), false for anything it leaves to zlib. Tests use
// it to see that the builders' streams never take the slow way.
bool InflateSimpleStream(std::string_view stream, size_t limit, std::string* out);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_COMPRESSION_H_
