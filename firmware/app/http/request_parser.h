// HTTP/1.1 server side: an incremental request parser (RFC 9112) over partial reads. One per
// connection; it buffers one request (head + decoded body) in caller-provided storage.
// Framing: Content-Length or chunked (RFC 9112 §7.1); keep-alive and pipelining: feed() stops
// at the end of a request and leaves the next one's bytes to the caller.
// Errors carry the status to answer before closing: 400 syntax, 413 body too large, 414
// target too long, 431 header section too large / too many fields, 501 unknown method or
// transfer coding, 505 HTTP version other than 1.x.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/http/body_decoder.h"
#include "app/http/message.h"

namespace lmc::http {

struct Request {
  Method method = Method::kUnknown;
  std::string_view target;  // as received ("/v1/settings?x=1")
  std::string_view path;    // target up to '?'
  std::string_view query;   // after '?', without it
  int version_minor = 1;    // HTTP/1.x
  Headers headers;
  std::string_view body;   // decoded (de-chunked)
  bool keep_alive = true;  // the connection stays open after the response
};

class RequestParser {
 public:
  // storage must outlive the parser; its size bounds head + body together.
  RequestParser(char* storage, std::size_t capacity, const Limits& limits = {});

  // Consumes bytes (advancing data and n) up to the end of one request.
  ParseState feed(const char*& data, std::size_t& n);
  ParseState state() const { return state_; }
  // When state() == kError: the status to answer (then close) and a short reason for the log.
  int error_status() const { return error_status_; }
  const char* error_reason() const { return error_reason_; }
  // Valid when state() == kComplete, until next().
  const Request& request() const { return request_; }
  // Ready for the next request on the same connection.
  void next();

 private:
  ParseState fail(int status, const char* reason);
  ParseState parse_head();

  char* storage_;
  std::size_t capacity_;
  Limits limits_;
  std::size_t size_ = 0;  // bytes of the head received so far
  std::size_t scan_ = 0;  // where the search for the end of the head resumes
  bool in_body_ = false;
  bool line_done_ = false;  // the request line's end has been seen
  ParseState state_ = ParseState::kNeedMore;
  int error_status_ = 0;
  const char* error_reason_ = "";
  BodyDecoder body_;
  Request request_;
};

}  // namespace lmc::http
