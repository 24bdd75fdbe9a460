"""Perception: maps raw tokens (or images) to distributions over a budget of latent symbols."""

from perception.config import PerceptionConfig
from perception.tokens import TokenPerception

__all__ = ["PerceptionConfig", "TokenPerception"]
