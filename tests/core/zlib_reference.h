// The system zlib's deflate as the reference the small deflaters are
// compared with (tests/core/small_deflate_test.cc and
// tests/fuzz/deflate_differential_fuzz.cc): one stream per setting, reset
// per input, because a fresh compress2 per input would dominate both.
// Header-only, so the fuzz target needs no test library.
#ifndef AGORA_TOKEN_TESTS_CORE_ZLIB_REFERENCE_H_
#define AGORA_TOKEN_TESTS_CORE_ZLIB_REFERENCE_H_

#include <zlib.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace agora_token_test {

class ZlibReference {
 public:
  // compress2 at the default level is (Z_DEFAULT_COMPRESSION, 15, 8).
  ZlibReference(int level, int window_bits, int mem_level) {
    if (deflateInit2(&stream_, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      std::abort();  // only on out-of-memory
    }
  }
  ~ZlibReference() { deflateEnd(&stream_); }
  ZlibReference(const ZlibReference&) = delete;
  ZlibReference& operator=(const ZlibReference&) = delete;

  // The whole zlib stream for `input`, or "<deflate failed>".
  std::string Compress(std::string_view input) {
    deflateReset(&stream_);
    std::string out(deflateBound(&stream_, input.size()), '\0');
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out.data());
    stream_.avail_out = static_cast<uInt>(out.size());
    if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) return "<deflate failed>";
    out.resize(stream_.total_out);
    return out;
  }

 private:
  z_stream stream_{};
};

}  // namespace agora_token_test

#endif  // AGORA_TOKEN_TESTS_CORE_ZLIB_REFERENCE_H_
