-- The s3tar catalog as an Athena (or Glue) table: one row per archived object, which archive
-- holds it, and where. The daily job writes one partition per day,
--   <report prefix>/catalog/dt=YYYY-MM-DD/part-NNNN.csv.gz
-- (gzip'd CSV, no header, every field quoted). Partition projection finds the days: no crawler,
-- no MSCK REPAIR, no ALTER TABLE ADD PARTITION.
--
-- Replace REPORT_BUCKET/REPORT_PREFIX (twice) with the job config's report location
-- (default: the destination bucket, <destination prefix>/_reports), and the first day of the
-- range with the day the catalog starts. The columns are those catalog/catalog.h writes;
-- CI checks both against each other (tests/unit/catalog, tests/deploy/test_athena_catalog.py).
CREATE EXTERNAL TABLE IF NOT EXISTS s3tar_catalog (
  `bucket` string,
  `key` string,
  `version_id` string,
  `size` bigint,
  `last_modified` string,
  `etag` string,
  `archive_bucket` string,
  `archive_key` string,
  `archive_etag` string,
  `offset` bigint
)
PARTITIONED BY (`dt` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"', 'escapeChar' = '\\')
STORED AS TEXTFILE
LOCATION 's3://REPORT_BUCKET/REPORT_PREFIX/catalog/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2020-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://REPORT_BUCKET/REPORT_PREFIX/catalog/dt=${dt}/'
);
