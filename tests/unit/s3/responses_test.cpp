// The pure response parsers and request bodies: real answers from AWS's documentation, RGW and
// moto, and malformed ones (which throw MalformedResponse and nothing else).
#include "s3tar/s3/responses.h"

#include <gtest/gtest.h>

#include "s3tar/s3/requests.h"

namespace s3tar::s3 {
namespace {

TEST(ParseErrorBody, ReadsCodeMessageAndRequestId) {
  std::string code, message, rid;
  ASSERT_TRUE(
      parse_error_body("<?xml version=\"1.0\" "
                       "encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does "
                       "not exist.</Message><Key>a</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>",
                       code, message, rid));
  EXPECT_EQ(code, "NoSuchKey");
  EXPECT_EQ(message, "The specified key does not exist.");
  EXPECT_EQ(rid, "4442587FB7D0A2F9");
}

TEST(ParseErrorBody, IsFalseForWhatIsNotAnErrorDocument) {
  std::string code, message, rid;
  EXPECT_FALSE(parse_error_body("", code, message, rid));
  EXPECT_FALSE(parse_error_body(
      "<CompleteMultipartUploadResult><ETag>x</ETag></CompleteMultipartUploadResult>", code, message, rid));
  EXPECT_FALSE(parse_error_body("<Error><Message>no code</Message></Error>", code, message, rid));
  EXPECT_FALSE(parse_error_body("<Error><Code>Unterminated", code, message, rid));
  // A listing whose key mentions <Error> is not an error.
  EXPECT_FALSE(
      parse_error_body("<ListBucketResult><Contents><Key>&lt;Error&gt;</Key></Contents></ListBucketResult>",
                       code, message, rid));
}

TEST(ParseErrorBody, FindsTheErrorAfterCompleteWhitespace) {
  // CompleteMultipartUpload streams whitespace while it works, then the result or an <Error>.
  std::string code, message, rid;
  ASSERT_TRUE(parse_error_body("   \n  <Error><Code>InternalError</Code></Error>", code, message, rid));
  EXPECT_EQ(code, "InternalError");
}

TEST(ParseListObjects, ReadsObjectsPrefixesAndTheNextToken) {
  const ListPage page = parse_list_objects(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</"
      "IsTruncated>"
      "<Contents><Key>a &amp; b.txt</Key><LastModified>2025-11-20T13:45:07.000Z</LastModified>"
      "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>48213</Size>"
      "<StorageClass>GLACIER</StorageClass></Contents>"
      "<Contents><Key>c</Key><LastModified>2025-11-20T13:45:08.000Z</LastModified><ETag>\"abc-2\"</ETag>"
      "<Size>12</Size></Contents>"
      "<CommonPrefixes><Prefix>logs/</Prefix></CommonPrefixes>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "</ListBucketResult>");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "a & b.txt");
  EXPECT_EQ(page.objects[0].size, 48213u);
  EXPECT_EQ(page.objects[0].etag, "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(page.objects[0].last_modified, 1763646307);
  EXPECT_EQ(page.objects[0].storage_class, "GLACIER");
  EXPECT_EQ(page.objects[1].etag, "abc-2");
  EXPECT_EQ(page.objects[1].storage_class, "STANDARD");
  EXPECT_EQ(page.common_prefixes, std::vector<std::string>{"logs/"});
  EXPECT_EQ(page.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(ParseListObjects, LastPageHasNoToken) {
  const ListPage page = parse_list_objects(
      "<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>stale</NextContinuationToken>"
      "</ListBucketResult>");
  EXPECT_TRUE(page.objects.empty());
  EXPECT_EQ(page.next_continuation_token, "");
}

TEST(ParseListObjects, MalformedListingsThrowMalformedResponse) {
  EXPECT_THROW(parse_list_objects(""), MalformedResponse);
  EXPECT_THROW(parse_list_objects("<ListBucketResult><Contents><Key>unterminated"), MalformedResponse);
  EXPECT_THROW(parse_list_objects("<ListAllMyBucketsResult/>"), MalformedResponse);
}

TEST(ParseMultipart, InitiateCopyPartAndComplete) {
  EXPECT_EQ(parse_initiate_upload("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                                  "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE");
  EXPECT_THROW(parse_initiate_upload("<InitiateMultipartUploadResult/>"), MalformedResponse);
  EXPECT_THROW(parse_initiate_upload("garbage"), MalformedResponse);

  // RGW and moto answer CopyPart ETags unquoted, AWS quoted.
  EXPECT_EQ(parse_copy_part_result("<CopyPartResult><LastModified>2025-11-20T13:45:07.000Z</LastModified>"
                                   "<ETag>\"0123456789abcdef0123456789abcdef\"</ETag></CopyPartResult>"),
            "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(parse_copy_part_result("<CopyPartResult><ETag>abc</ETag></CopyPartResult>"), "abc");
  EXPECT_THROW(parse_copy_part_result("<CopyPartResult/>"), MalformedResponse);

  EXPECT_EQ(
      parse_complete_result("  \n<CompleteMultipartUploadResult><Location>x</Location><ETag>\"e-3\"</ETag>"
                            "</CompleteMultipartUploadResult>"),
      "e-3");
  // RGW's first answer carries an empty ETag: the caller HEADs the object.
  EXPECT_EQ(
      parse_complete_result("<CompleteMultipartUploadResult><ETag></ETag></CompleteMultipartUploadResult>"),
      "");
  EXPECT_EQ(parse_copy_object_result("<CopyObjectResult><ETag>&quot;x&quot;</ETag></CopyObjectResult>"), "x");
}

TEST(ParseListUploads, ReadsUploadsAndMarkersWhateverTheRootIsCalled) {
  const UploadsPage page = parse_list_uploads(
      "<ListMultipartUploadsResult><Bucket>b</Bucket><NextKeyMarker>k2</NextKeyMarker>"
      "<NextUploadIdMarker>u2</NextUploadIdMarker><IsTruncated>true</IsTruncated>"
      "<Upload><Key>k1</Key><UploadId>u1</UploadId><Initiated>2025-11-20T13:45:07.000Z</Initiated></Upload>"
      "<Upload><Key>k2</Key><UploadId>u2</UploadId><Initiated>2025-11-20T13:45:08.000Z</Initiated></Upload>"
      "</ListMultipartUploadsResult>");
  ASSERT_EQ(page.uploads.size(), 2u);
  EXPECT_EQ(page.uploads[1].key, "k2");
  EXPECT_EQ(page.uploads[1].upload_id, "u2");
  EXPECT_EQ(page.uploads[0].initiated, "2025-11-20T13:45:07.000Z");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_key_marker, "k2");
  EXPECT_EQ(page.next_upload_id_marker, "u2");
  EXPECT_EQ(parse_list_uploads("<ListMultipartUploadsResponse><Upload><Key>a</Key></Upload>"
                               "</ListMultipartUploadsResponse>")
                .uploads.size(),
            1u);
  EXPECT_THROW(parse_list_uploads("<Unterminated"), MalformedResponse);
}

TEST(ParseListParts, ReadsPartsOnEveryServersRoot) {
  for (const std::string root : {"ListPartsResult", "ListPartsResponse"}) {
    const PartsPage page = parse_list_parts(
        "<" + root + "><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker>" +
        "<Part><PartNumber>1</PartNumber><ETag>\"aa\"</ETag><Size>5242880</Size></Part>" +
        "<Part><PartNumber>2</PartNumber><ETag>bb</ETag><Size>10</Size></Part></" + root + ">");
    ASSERT_EQ(page.parts.size(), 2u) << root;
    EXPECT_EQ(page.parts[0].number, 1);
    EXPECT_EQ(page.parts[0].etag, "aa");
    EXPECT_EQ(page.parts[0].size, 5242880u);
    EXPECT_EQ(page.parts[1].etag, "bb");
    EXPECT_TRUE(page.truncated);
    EXPECT_EQ(page.next_part_number_marker, "2");
  }
  EXPECT_THROW(parse_list_parts(""), MalformedResponse);
}

TEST(ParseDeleteResult, ListsOnlyTheFailures) {
  const auto failures = parse_delete_result(
      "<DeleteResult><Deleted><Key>ok</Key></Deleted><Error><Key>k</Key><Code>AccessDenied</Code>"
      "<Message>Access Denied</Message></Error></DeleteResult>");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0], (std::pair<std::string, std::string>{"k", "AccessDenied"}));
}

TEST(ParseObjectHeaders, ReadsEveryFieldAndTheRangeTotal) {
  const HeaderList headers = {{"etag", "\"abc\""},
                              {"content-length", "10"},
                              {"content-range", "bytes 0-9/12345"},
                              {"x-amz-storage-class", "DEEP_ARCHIVE"},
                              {"last-modified", "Thu, 20 Nov 2025 13:45:07 GMT"},
                              {"x-amz-version-id", "v1"},
                              {"content-type", "application/x-tar"},
                              {"x-amz-restore", "ongoing-request=\"false\""},
                              {"x-amz-archive-status", "ARCHIVE_ACCESS"},
                              {"x-amz-server-side-encryption", "aws:kms"},
                              {"x-amz-meta-owner", "team-a"}};
  const ObjectInfo info = parse_object_headers(headers);
  EXPECT_EQ(info.etag, "abc");
  EXPECT_EQ(info.size, 12345u);
  EXPECT_EQ(info.storage_class, "DEEP_ARCHIVE");
  EXPECT_EQ(info.last_modified, 1763646307);
  EXPECT_EQ(info.version_id, "v1");
  EXPECT_EQ(info.content_type, "application/x-tar");
  EXPECT_EQ(info.restore, "ongoing-request=\"false\"");
  EXPECT_EQ(info.archive_status, "ARCHIVE_ACCESS");
  EXPECT_EQ(info.server_side_encryption, "aws:kms");
  EXPECT_EQ(info.metadata.at("owner"), "team-a");

  const ObjectInfo plain = parse_object_headers({{"content-length", "77"}, {"content-range", "bytes */*"}});
  EXPECT_EQ(plain.size, 77u);
  EXPECT_EQ(plain.storage_class, "STANDARD");
  EXPECT_EQ(parse_object_headers({{"content-length", "not a number"}}).size, 0u);
}

TEST(RequestBodies, CompleteDeleteAndTaggingDocuments) {
  EXPECT_EQ(complete_body({{1, "aa"}, {2, "bb"}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"aa\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"bb\"</ETag></Part></CompleteMultipartUpload>");
  EXPECT_EQ(
      delete_body({"a&b", "c"}),
      "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key></Object></Delete>");
  EXPECT_EQ(tagging_body({{"k", "v<"}}),
            "<Tagging><TagSet><Tag><Key>k</Key><Value>v&lt;</Value></Tag></TagSet></Tagging>");
}

TEST(RequestHeaders, CopySourceRangeAndTags) {
  EXPECT_EQ(copy_source({"src", "dir/a b+c", ""}), "src/dir/a%20b%2Bc");
  EXPECT_EQ(copy_source({"src", "k", "v/1="}), "src/k?versionId=v%2F1%3D");
  EXPECT_EQ(range_header({5, 9}), "bytes=5-9");
  EXPECT_EQ(form_encode_pairs({{"a b", "c/d"}, {"e", ""}}), "a%20b=c%2Fd&e=");
  EXPECT_EQ(content_md5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

}  // namespace
}  // namespace s3tar::s3
