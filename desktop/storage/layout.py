"""The names of the files in a store folder (docs/storage.md has the whole layout)."""

DB_FILE = "store.db"
KEYS_FILE = "keys.json"
AUDIO_DIR = "audio"
