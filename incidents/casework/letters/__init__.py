"""Letters from a case (issue 17, item 8): the school's editable wording, and each letter sent."""
