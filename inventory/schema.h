#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace s3tar::inventory {

// Column positions of a CSV inventory, from manifest.json's fileSchema. -1 = absent.
struct ColumnMap {
  int bucket = -1;
  int key = -1;
  int version_id = -1;
  int is_latest = -1;
  int is_delete_marker = -1;
  int size = -1;
  int last_modified = -1;
  int storage_class = -1;
  int etag = -1;
  int is_multipart_uploaded = -1;
  int encryption_status = -1;
  int intelligent_tiering_access_tier = -1;
  std::size_t column_count = 0;

  // Throws UnsupportedFormatError naming the missing column when Bucket, Key, Size or
  // LastModifiedDate is absent, BadInputError for duplicate or empty names. Names match
  // case-insensitively; unknown columns are ignored.
  static ColumnMap from_schema(const std::vector<std::string>& schema);
};

}  // namespace s3tar::inventory
