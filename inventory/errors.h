#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace s3tar::inventory {

// Base of every error thrown by the inventory reader.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The report for the target date is not complete yet (no qualifying folder, or no
// manifest.checksum yet). The daily job should exit with "not delivered yet" and retry later.
class NotDeliveredError : public Error {
 public:
  using Error::Error;
};

// The inventory data is wrong (broken manifest, checksum mismatch, corrupt gzip, bad rows,
// unsupported format, missing columns). Retrying does not help.
class BadInputError : public Error {
 public:
  using Error::Error;
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
  using Error::Error;
};

// The object store could not read or list (missing object, I/O failure).
class StoreError : public Error {
 public:
  using Error::Error;
};

// The requested object does not exist.
class NotFoundError : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace s3tar::inventory
