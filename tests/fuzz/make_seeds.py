#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/<target>/corpus/).

Seeds are small valid and nearly valid inputs that lead the fuzzers into the interesting code
quickly. Run it again after changing it; the fuzzers' own finds stay in the build tree.
"""
import gzip
import hashlib
import io
import json
import os
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, target, "corpus")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# inventory_csv: options byte (bit 0 raw gzip, bit 1 short schema, bits 2-7 chunk size) + data.
FULL_ROWS = (
    '"src","day/a.txt","","true","false","10","2025-11-20T10:00:00.000Z","9b2cf535f27731c974343645a3985328",'
    '"STANDARD","false","","SSE-S3","","","",""\n'
    '"src","day/b%2Cc+d.txt","v1","false","false","20","2025-11-20T23:59:59.999Z","e","STANDARD","true","",'
    '"SSE-KMS","","","",""\n'
    '"src","old.txt","","true","false","5","2025-11-19T23:59:59.000Z","e","GLACIER","false","","","","","",""\n'
    '"src","dm","v2","true","true","","2025-11-20T01:00:00.000Z","","","","","","","","",""\n'
    '"src","it","","true","false","7","2025-11-20T02:00:00.000Z","e","INTELLIGENT_TIERING","false","",'
    '"","","","","ARCHIVE_CONFIGURATION"\n'
    '"src","tmp/x","","true","false","1","2025-11-20T03:00:00.000Z","e","STANDARD","false","","","","","",""\n'
)
SHORT_ROWS = '"src","a","10","2025-11-20T10:00:00.000Z"\nsrc,b,99999999999999999999,2025-11-20T10:00:00Z\r\n'
write("inventory_csv", "full_text", b"\x00" + FULL_ROWS.encode())
write("inventory_csv", "full_text_chunked", b"\x0c" + FULL_ROWS.encode())
write("inventory_csv", "short_text", b"\x02" + SHORT_ROWS.encode())
write("inventory_csv", "bad_quote", b"\x02" + b'"src","a\n')
two_members = gzip.compress(FULL_ROWS.encode(), mtime=0) + gzip.compress(b'"src","z","","true","false","1",'
                                                                         b'"2025-11-20T04:00:00.000Z","e",'
                                                                         b'"STANDARD","","","","","","",""\n',
                                                                         mtime=0)
write("inventory_csv", "gzip_two_members", b"\x01" + two_members)
write("inventory_csv", "gzip_truncated", b"\x41" + two_members[: len(two_members) // 2])
write("inventory_csv", "gzip_short", b"\x03" + gzip.compress(SHORT_ROWS.encode(), mtime=0))

# manifest_json: the JSON text.
manifest = {
    "sourceBucket": "src",
    "destinationBucket": "arn:aws:s3:::inventory-dest",
    "version": "2016-11-30",
    "creationTimestamp": "1732060800000",
    "fileFormat": "CSV",
    "fileSchema": "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass",
    "files": [
        {"key": "src/daily/data/a.csv.gz", "size": 123, "MD5checksum": hashlib.md5(b"a").hexdigest()},
        {"key": "src/daily/data/b.csv.gz", "size": "456", "MD5checksum": hashlib.md5(b"b").hexdigest().upper()},
    ],
}
write("manifest_json", "csv", json.dumps(manifest, indent=2))
write("manifest_json", "numeric_timestamp", json.dumps(dict(manifest, creationTimestamp=1732060800000)))
write("manifest_json", "orc", json.dumps(dict(manifest, fileFormat="ORC")))
write("manifest_json", "gov_partition", json.dumps(dict(manifest, destinationBucket="arn:aws-us-gov:s3:::d")))
write("manifest_json", "missing_key_column", json.dumps(dict(manifest, fileSchema="Bucket, Size, LastModifiedDate")))
write("manifest_json", "bad_file", json.dumps(dict(manifest, files=[{"key": "k", "size": -1, "MD5checksum": "x"}])))
write("manifest_json", "not_object", "[1, 2, 3]")

# manifest_csv: options byte (bit 0 Batch Operations, bit 1 skip header, bit 2 URL-encoded keys) + CSV.
write("manifest_csv", "s3tar", b"\x00" + b'bkt,a/b.txt,10,"9b2cf535f27731c974343645a3985328"\nbkt,"c,d",0\n')
write("manifest_csv", "s3tar_header_crlf", b"\x02" + b"bucket,key,size,etag\r\nbkt,k,1,e\r\n")
write("manifest_csv", "s3tar_urlencoded", b"\x04" + b"bkt,a%2Fb+c%ZZ,1,e\n")
write("manifest_csv", "s3tar_bom", b"\x00" + b"\xef\xbb\xbfbkt,k,1,e\n")
write("manifest_csv", "s3tar_bad_size", b"\x00" + b"bkt,k,-1,e\nbkt,,1\n")
write("manifest_csv", "s3tar_last_modified",
      b"\x00" + b"bkt,a,1,e,2025-11-20T13:45:07.000Z\nbkt,b,2,,\nbkt,c,3,e,2025-13-40T99:00:00Z\n")
write("manifest_csv", "batch", b"\x01" + b"bkt,a%20b.txt,3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY\nbkt,plain\n")
write("manifest_csv", "batch_quoted", b"\x01" + b'"bkt","k ""q""",""\n')

# toc_csv: the CSV text.
write("toc_csv", "plain", "a/b.txt,1536,10,9b2cf535f27731c974343645a3985328\nc,2560,0,d41d8cd98f00b204e9800998ecf8427e-2\n")
write("toc_csv", "quoted", '"with,comma",1,2,"""etag"""\n" lead",3,4,\n"line\nbreak",5,6,e\n')
write("toc_csv", "crlf_blank_lines", "a,1,2,e\r\n\r\n\nb,3,4,f")
write("toc_csv", "bad_number", "a,18446744073709551616,2,e\nb,x,1,e\n")


# tar_headers: archive bytes, trimmed to the two end blocks (no record padding).
def tar_bytes(fmt, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    raw = buf.getvalue()
    end = len(raw)
    while end >= 512 and raw[end - 512:end] == b"\0" * 512:
        end -= 512
    return raw[:end] + b"\0" * 1024


def member(name, data=b"", kind=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mtime = 1732060800
    info.type = kind
    info.linkname = linkname
    return info, (data if kind == tarfile.REGTYPE else None)


toc = b"a.txt,1536,5,e\n"
write("tar_headers", "toc_first", tar_bytes(tarfile.USTAR_FORMAT, [member("toc.csv", toc), member("a.txt", b"hello")]))
write("tar_headers", "gnu_long_name", tar_bytes(tarfile.GNU_FORMAT, [member("n" * 300, b"data")]))
write("tar_headers", "pax_long_name", tar_bytes(tarfile.PAX_FORMAT, [member("p/" * 90 + "x", b"data"),
                                                                       member("\u00e9t\u00e9.txt", b"")]))
write("tar_headers", "dir_and_link", tar_bytes(tarfile.USTAR_FORMAT, [member("d/", kind=tarfile.DIRTYPE),
                                                                        member("d/l", kind=tarfile.SYMTYPE,
                                                                               linkname="../a")]))
write("tar_headers", "truncated", tar_bytes(tarfile.USTAR_FORMAT, [member("big", b"x" * 4000)])[:1500])
