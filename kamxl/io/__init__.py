"""Reading and writing workbooks (values, structure, formula text)."""
