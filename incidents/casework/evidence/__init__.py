"""Evidence kept with a case (issue 14): encrypted, chunked, content-checked files with a chain
of custody in the audit log."""
