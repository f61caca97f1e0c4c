"""Plain domain types and the error split shared by every layer. No Qt, no I/O."""
