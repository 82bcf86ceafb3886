// The compiled parts of Boost.Asio (its SSL part included) and of the
// Boost.Beast the HTTP transport uses, once for the server library: the
// target defines BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION (server/CMakeLists.txt), so the other
// sources include only declarations and templates instead of compiling these
// each. Beast's own <boost/beast/src.hpp> would also compile its WebSocket,
// zlib and test-stream code, which nothing here uses (14 of its 22 s under
// clang with ASan); a Beast function missing from this list fails the link.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>

#define BOOST_BEAST_SOURCE
#include <boost/beast/core/detail/config.hpp>
#include <boost/beast/core/detail/impl/temporary_buffer.ipp>
#include <boost/beast/core/impl/error.ipp>
#include <boost/beast/core/impl/saved_handler.ipp>
#include <boost/beast/core/impl/string.ipp>
#include <boost/beast/http/detail/basic_parser.ipp>
#include <boost/beast/http/detail/rfc7230.ipp>
#include <boost/beast/http/impl/basic_parser.ipp>
#include <boost/beast/http/impl/error.ipp>
#include <boost/beast/http/impl/field.ipp>
#include <boost/beast/http/impl/fields.ipp>
#include <boost/beast/http/impl/rfc7230.ipp>
#include <boost/beast/http/impl/status.ipp>
#include <boost/beast/http/impl/verb.ipp>
