#include "inventory/schema.h"

#include <strings.h>

#include <cctype>
#include <set>

#include "inventory/errors.h"

namespace s3tar::inventory {

ColumnMap ColumnMap::from_schema(const std::vector<std::string>& schema) {
  ColumnMap m;
  m.column_count = schema.size();
  const std::pair<const char*, int ColumnMap::*> known[] = {
      {"Bucket", &ColumnMap::bucket},
      {"Key", &ColumnMap::key},
      {"VersionId", &ColumnMap::version_id},
      {"IsLatest", &ColumnMap::is_latest},
      {"IsDeleteMarker", &ColumnMap::is_delete_marker},
      {"Size", &ColumnMap::size},
      {"LastModifiedDate", &ColumnMap::last_modified},
      {"StorageClass", &ColumnMap::storage_class},
      {"ETag", &ColumnMap::etag},
      {"IsMultipartUploaded", &ColumnMap::is_multipart_uploaded},
      {"EncryptionStatus", &ColumnMap::encryption_status},
      {"IntelligentTieringAccessTier", &ColumnMap::intelligent_tiering_access_tier},
  };
  std::set<std::string> seen;
  for (std::size_t i = 0; i < schema.size(); ++i) {
    const auto& name = schema[i];
    if (name.empty())
      throw BadInputError("fileSchema has an empty column name at position " + std::to_string(i + 1));
    std::string lower;
    for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (!seen.insert(lower).second) throw BadInputError("fileSchema names column " + name + " twice");
    for (const auto& [known_name, member] : known) {
      if (strcasecmp(known_name, name.c_str()) == 0) m.*member = static_cast<int>(i);
    }
  }
  for (const auto& [required, member] :
       {std::pair{"Bucket", &ColumnMap::bucket}, std::pair{"Key", &ColumnMap::key},
        std::pair{"Size", &ColumnMap::size}, std::pair{"LastModifiedDate", &ColumnMap::last_modified}}) {
    if (m.*member < 0) {
      throw UnsupportedFormatError(std::string("inventory has no ") + required +
                                   " column; enable the field in the inventory configuration");
    }
  }
  return m;
}

}  // namespace s3tar::inventory
