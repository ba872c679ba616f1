"""The annual report (HTML and PDF) of one county or of all counties under a code prefix,
generated from the evaluation event store only, byte-for-byte reproducible."""
