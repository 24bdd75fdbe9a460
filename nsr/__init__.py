"""nsr: a neural-symbolic recursive machine learned from input-output examples."""

__version__ = "0.1.0"
