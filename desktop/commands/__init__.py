"""Sub-commands of ``consult-scribe``; each module has ``register(subparsers)``."""
