#include "core/compression.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>

#include "core/small_deflate.h"

namespace agora_token {
namespace {

// A deflate stream kept for the life of a thread and reset per use.
class DeflateStream {
 public:
  // Compatible mode must use deflateInit's defaults (window 15, memLevel 8)
  // to match the reference builders byte for byte. Fast mode stores the
  // payload, so the smallest window and hash table make its reset cheap.
  explicit DeflateStream(Compression mode) {
    const bool fast = mode == Compression::kFast;
    const int rc = deflateInit2(&stream_, fast ? Z_NO_COMPRESSION : Z_DEFAULT_COMPRESSION,
                                Z_DEFLATED, fast ? 9 : 15, fast ? 1 : 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) std::abort();  // only on out-of-memory
  }
  ~DeflateStream() { deflateEnd(&stream_); }
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  void Compress(std::string_view payload, std::string* out) {
    deflateReset(&stream_);
    const size_t start = out->size();
    const uLong bound = deflateBound(&stream_, payload.size());
    out->resize(start + bound);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    stream_.avail_in = static_cast<uInt>(payload.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out->data() + start);
    stream_.avail_out = static_cast<uInt>(bound);
    // deflateBound guarantees one call finishes the stream.
    if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) std::abort();
    out->resize(start + stream_.total_out);
  }

 private:
  z_stream stream_{};
};

// An inflate stream kept for the life of a thread and reset per use.
class InflateStream {
 public:
  InflateStream() {
    if (inflateInit(&stream_) != Z_OK) std::abort();  // only on out-of-memory
  }
  ~InflateStream() { inflateEnd(&stream_); }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  z_stream& Reset() {
    inflateReset(&stream_);
    return stream_;
  }

 private:
  z_stream stream_{};
};

}  // namespace

uint32_t Crc32(std::string_view data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

void ZlibCompress(std::string_view payload, Compression mode, std::string* out) {
  // zlib only for what the small deflaters refuse (inputs beyond any token's).
  if (mode == Compression::kFast) {
    if (StoredDeflate(payload, out)) return;
    thread_local DeflateStream fast(Compression::kFast);
    fast.Compress(payload, out);
  } else {
    if (SmallDeflate(payload, out)) return;
    thread_local DeflateStream compatible(Compression::kCompatible);
    compatible.Compress(payload, out);
  }
}

absl::Status ZlibDecompress(std::string_view stream, size_t limit, std::string* out) {
  // A leading stored block pads its 3 header bits to a byte boundary and
  // zlib skips those padding bits unread: require them to be zero.
  constexpr size_t kZlibHeaderSize = 2;
  if (stream.size() > kZlibHeaderSize) {
    const auto first = static_cast<uint8_t>(stream[kZlibHeaderSize]);
    const bool stored = ((first >> 1) & 3) == 0;
    if (stored && (first >> 3) != 0) {
      return absl::InvalidArgumentError("token: non-canonical compressed payload");
    }
  }

  thread_local InflateStream inflater;
  z_stream& zs = inflater.Reset();
  // Grow the output as needed, one spare byte past `limit` so "exactly
  // limit" and "more" differ.
  out->resize(std::min(limit + 1, std::max<size_t>(256, stream.size() * 4)));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data()));
  zs.avail_in = static_cast<uInt>(stream.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());

  // Z_BLOCK returns at every block boundary, which exposes the padding bits
  // after the final block (zlib skips them unread before the checksum).
  bool checked_final_padding = false;
  for (;;) {
    const int rc = inflate(&zs, Z_BLOCK);
    if (rc == Z_STREAM_END) break;
    if (zs.avail_out == 0) {
      if (out->size() > limit) {
        return absl::InvalidArgumentError(
            "token: compressed payload inflates beyond the size limit");
      }
      out->resize(std::min(limit + 1, out->size() * 2));
      zs.next_out = reinterpret_cast<Bytef*>(out->data() + zs.total_out);
      zs.avail_out = static_cast<uInt>(out->size() - zs.total_out);
      if (rc == Z_BUF_ERROR) continue;  // it only lacked room
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return absl::InvalidArgumentError("token: corrupt compressed payload");
    }
    // data_type: 128 = at a block boundary, 64 = the last block was read,
    // low 3 bits = unused bits of the last input byte.
    const bool after_final_block = (zs.data_type & 128) && (zs.data_type & 64);
    if (after_final_block && !checked_final_padding) {
      checked_final_padding = true;
      const int unused_bits = zs.data_type & 7;
      const auto last = static_cast<uint8_t>(*(zs.next_in - 1));
      if (unused_bits > 0 && (last >> (8 - unused_bits)) != 0) {
        return absl::InvalidArgumentError("token: non-canonical compressed payload");
      }
    }
    if (zs.avail_in == 0) return absl::InvalidArgumentError("token: truncated compressed payload");
    // Input and room left but no progress: the stream cannot continue.
    if (rc == Z_BUF_ERROR) return absl::InvalidArgumentError("token: corrupt compressed payload");
  }
  if (zs.avail_in != 0) {
    return absl::InvalidArgumentError("token: trailing bytes after the compressed payload");
  }
  out->resize(zs.total_out);
  return absl::OkStatus();
}

}  // namespace agora_token
