// HTTP/1.1 client side: an incremental response parser (RFC 9112) over partial reads.
// Body framing per RFC 9112 §6.3: none for HEAD and 1xx/204/304, chunked, Content-Length,
// otherwise until the server closes (call finish()). A 1xx interim response completes as a
// message without body; call next() and keep feeding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/http/body_decoder.h"
#include "app/http/message.h"

namespace lmc::http {

struct Response {
  int status = 0;
  std::string_view reason;
  int version_minor = 1;
  Headers headers;
  std::string_view body;
  bool keep_alive = true;  // the server keeps the connection open
};

class ResponseParser {
 public:
  ResponseParser(char* storage, std::size_t capacity, const Limits& limits = {});

  // The method of the request this response answers (HEAD responses have no body).
  void expect(Method request_method) { request_method_ = request_method; }
  ParseState feed(const char*& data, std::size_t& n);
  // The server closed the connection: completes a close-delimited body; else kError when
  // a response was under way (truncated).
  ParseState finish();
  ParseState state() const { return state_; }
  const char* error_reason() const { return error_reason_; }
  const Response& response() const { return response_; }
  void next();

 private:
  ParseState fail(const char* reason);
  ParseState parse_head();

  char* storage_;
  std::size_t capacity_;
  Limits limits_;
  std::size_t size_ = 0;
  std::size_t scan_ = 0;
  bool in_body_ = false;
  Method request_method_ = Method::kGet;
  ParseState state_ = ParseState::kNeedMore;
  const char* error_reason_ = "";
  BodyDecoder body_;
  Response response_;
};

}  // namespace lmc::http
