-- Recall ground truth: every candidate vector with its physical position, streamed once in binary.
COPY (SELECT tableoid, ctid, {col}
        FROM {table}
       WHERE {col} IS NOT NULL AND ({where}))
  TO STDOUT (FORMAT BINARY)
