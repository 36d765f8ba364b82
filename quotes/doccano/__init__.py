"""doccano: pure converters (:mod:`.convert`) and a thin HTTP client (:mod:`.client`)."""
