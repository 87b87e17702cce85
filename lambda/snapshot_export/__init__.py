"""Export RDS and Aurora snapshots to S3 with StartExportTask, one queued event at a time."""
