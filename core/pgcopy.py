"""PostgreSQL's binary COPY framing, shared by the two bulk writers that build their tuples from numpy
arrays (budget lines: ``finance.bulkload.ColumnWriter``; projection results:
``planning.projection.binary_copy``).

A binary COPY stream is this header, then the tuples (a 16-bit field count, then per field a 32-bit
big-endian length and the value), then the trailer. Format:
https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
"""

#: signature, 32-bit flags (no OIDs), 32-bit header extension length (none)
SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
#: a field count of -1 ends the stream
TRAILER = b"\xff\xff"
