"""The language model runtime (llama-cpp-python) and drafting of notes and letter prose."""
