"""ConsultScribe: an offline voice assistant for the consulting room."""

__version__ = "0.1.0"
