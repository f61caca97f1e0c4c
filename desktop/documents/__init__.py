"""Templates for the SOAP note and letters, validation, rendering, and the fact guard."""
