"""Perception: maps raw tokens (or images) to distributions over a budget of latent symbols."""

from perception.config import ImagePerceptionConfig, PerceptionConfig
from perception.images import ImagePerception
from perception.tokens import TokenPerception

__all__ = ["ImagePerception", "ImagePerceptionConfig", "PerceptionConfig", "TokenPerception"]
