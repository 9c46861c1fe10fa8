#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "s3tar/errors.h"

namespace s3tar::inventory {

// Base of every error thrown by the inventory reader; its category (s3tar/errors.h) gives the
// exit code.
class Error : public s3tar::Error {
 public:
  using s3tar::Error::Error;
};

// The report for the target date is not complete yet (no qualifying folder, or no
// manifest.checksum yet). The daily job should exit with "not delivered yet" and retry later.
class NotDeliveredError : public Error {
 public:
  explicit NotDeliveredError(const std::string& what) : Error(ErrorCategory::NotYet, what) {}
};

// The inventory data is wrong (broken manifest, checksum mismatch, corrupt gzip, bad rows,
// unsupported format, missing columns). Retrying does not help.
class BadInputError : public Error {
 public:
  explicit BadInputError(const std::string& what) : Error(ErrorCategory::BadInput, what) {}
};

// An MD5 did not match: manifest.json vs manifest.checksum, or a data file vs files[].MD5checksum.
class ChecksumMismatchError : public BadInputError {
 public:
  ChecksumMismatchError(std::string key, std::string expected, std::string actual)
      : BadInputError("MD5 mismatch for " + key + ": expected " + expected + ", got " + actual),
        key_(std::move(key)),
        expected_(std::move(expected)),
        actual_(std::move(actual)) {}
  const std::string& key() const { return key_; }
  const std::string& expected() const { return expected_; }
  const std::string& actual() const { return actual_; }

 private:
  std::string key_, expected_, actual_;
};

// fileFormat is ORC or Parquet (only CSV is supported), or a required column is missing.
class UnsupportedFormatError : public BadInputError {
 public:
  using BadInputError::BadInputError;
};

// One data-file row is malformed (bad number, bad date, wrong column count, bad CSV).
class BadRowError : public BadInputError {
 public:
  BadRowError(std::string file_key, std::uint64_t line, std::string problem)
      : BadInputError(file_key + ":" + std::to_string(line) + ": " + problem),
        file_key_(std::move(file_key)),
        line_(line),
        problem_(std::move(problem)) {}
  const std::string& file_key() const { return file_key_; }
  std::uint64_t line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_key_;
  std::uint64_t line_;
  std::string problem_;
};

// The caller's configuration is wrong (unknown time zone, bad date). Do not retry.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& what) : Error(ErrorCategory::Usage, what) {}
};

// The object store could not read or list (an I/O failure: run again).
class StoreError : public Error {
 public:
  explicit StoreError(const std::string& what, ErrorCategory category = ErrorCategory::Transient)
      : Error(category, what) {}
};

// The requested object does not exist (callers that expect it may turn this into NotDelivered).
class NotFoundError : public StoreError {
 public:
  explicit NotFoundError(const std::string& what) : StoreError(what, ErrorCategory::BadInput) {}
};

}  // namespace s3tar::inventory
