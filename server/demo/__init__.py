"""A deterministic demo city (Chicago) and its fast bulk loader."""

from server.demo.generate import DemoCity, default_season_year, generate_city
from server.demo.load import LoadCounts, load_city, seed_demo

__all__ = [
    "DemoCity",
    "LoadCounts",
    "default_season_year",
    "generate_city",
    "load_city",
    "seed_demo",
]
