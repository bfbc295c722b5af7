// STUB: replaced by the dump stage.
