"""Tasks on a case: the statutory ones the workflow opens, those added by hand, marking done."""
