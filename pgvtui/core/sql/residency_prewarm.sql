-- Load one relation into shared_buffers (pgvtui residency --prewarm only; needs a read-write session).
SELECT {prewarm}(%(oid)s::oid::regclass, 'buffer') AS blocks
